import { expect } from 'chai';
import pino from 'pino';
import { Writable } from 'node:stream';
import { BoundLogger } from '../../src/logging/bound-logger';
import { RecordingLogger } from '@veilnode/plugin-api/testing';

describe('BoundLogger', () => {
  it('adds its bindings to every record, at the level called, without creating a child', () => {
    const parent = new RecordingLogger([], { service: 'x' });
    let children = 0;
    const child = parent.child.bind(parent);
    parent.child = (b) => (children++, child(b));
    const log = new BoundLogger(parent, { component: 'peer', conn: 'clearnet-1' });
    log.info({ reason: 'done' }, 'closed');
    log.debug({}, 'quiet');
    expect(children).to.equal(0);
    expect(parent.entries).to.deep.equal([
      { level: 'info', fields: { service: 'x', component: 'peer', conn: 'clearnet-1', reason: 'done' }, msg: 'closed' },
      { level: 'debug', fields: { service: 'x', component: 'peer', conn: 'clearnet-1' }, msg: 'quiet' },
    ]);
  });

  it('a field of the record wins over a binding of the same name', () => {
    const parent = new RecordingLogger();
    new BoundLogger(parent, { zone: 'tor' }).warn({ zone: 'i2p' });
    expect(parent.entries[0].fields).to.deep.equal({ zone: 'i2p' });
  });

  it('child() passes its bindings and the new ones to the parent’s child', () => {
    const parent = new RecordingLogger();
    new BoundLogger(parent, { zone: 'tor' }).child({ conn: 'tor-2' }).error({ code: 'E' });
    expect(parent.entries[0]).to.deep.equal({ level: 'error', fields: { zone: 'tor', conn: 'tor-2', code: 'E' }, msg: undefined });
  });

  it('builds no record for a level the parent (pino) has disabled, and logs the enabled ones with its bindings', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const parent = pino({ level: 'warn' }, sink);
    const log = new BoundLogger(parent, { component: 'peer' });
    let reads = 0;
    const record = Object.defineProperty({}, 'height', { enumerable: true, get: () => (reads++, '7') });
    log.info(record, 'handshake complete');
    log.debug(record, 'quiet');
    expect(reads).to.equal(0);
    log.warn(record, 'loud');
    expect(reads).to.equal(1);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).map((l) => [l.component, l.height, l.msg])).to.deep.equal([['peer', '7', 'loud']]);
    parent.level = 'info';
    log.info(record, 'now on');
    expect(lines).to.have.length(2);
  });
});
