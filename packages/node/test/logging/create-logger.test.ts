import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/logging/create-logger';

describe('root logger (pino)', () => {
  function capture(level: 'info' | 'warn'): { lines: () => Record<string, unknown>[]; raw: () => string; logger: ReturnType<typeof createLogger> } {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const logger = createLogger({ level, pretty: false, destination: out });
    return { logger, raw: () => text, lines: () => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
  }

  it('writes each key once per line: nested children and the record itself override, innermost wins', () => {
    const { logger, raw, lines } = capture('info');
    logger.child({ component: 'p2p' }).child({ zone: 'tor', transport: 'tor' }).child({ zone: 'i2p', component: 'peer' }).info({ transport: 'i2p-sam' }, 'one');
    expect(raw().match(/"zone":/g)).to.have.length(1);
    expect(raw().match(/"component":/g)).to.have.length(1);
    expect(raw().match(/"transport":/g)).to.have.length(1);
    expect(lines()[0]).to.include({ zone: 'i2p', component: 'peer', transport: 'i2p-sam', msg: 'one' });
  });

  it('writes structured JSON lines with the child bindings, at the configured level', () => {
    const { logger, lines } = capture('warn');
    logger.child({ zone: 'tor' }).info({ a: 1 }, 'hidden');
    logger.child({ zone: 'tor' }).warn({ a: 2 }, 'shown');
    expect(lines()).to.have.length(1);
    expect(lines()[0]).to.include({ level: 40, zone: 'tor', a: 2, msg: 'shown', service: 'veilnode' });
  });

  it('redacts keys that can carry secrets, wherever a caller slipped them in', () => {
    const { logger, lines } = capture('info');
    logger.info({ proxy: 'socks5://alice:pw@127.0.0.1:9050', zone: { login: 'alice:pw', password: 'pw' } }, 'oops');
    const [line] = lines();
    expect(JSON.stringify(line)).not.to.contain('pw');
    expect(line).to.deep.include({ proxy: '[redacted]', zone: { login: '[redacted]', password: '[redacted]' } });
  });
});
