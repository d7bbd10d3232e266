import { expect } from 'chai';
import { RecordingLogger, VirtualClock } from '@veilnode/plugin-api/testing';
import { ZoneActivityLog } from '../../src/node/zone-activity-log';
import type { ZoneStatus } from '../../src/rpc/zone-status';

const zone = (name: string, inbound: number, out: number, healthy = true): ZoneStatus => ({
  name,
  transport: name,
  enabled: true,
  inbound: [],
  connections: { in: inbound, out },
  queued: 0,
  noise: false,
  healthy,
});

describe('ZoneActivityLog', () => {
  it('says when a zone gains its first peer and loses its last, once each, with no address', () => {
    const logger = new RecordingLogger();
    const log = new ZoneActivityLog({ zoneStatuses: () => [], relayStatus: () => ({ localWaiting: 0, waitReason: null, localInFlight: 0, pool: { local: 0, forward: 0, stem: 0, fluff: 0 } }) }, logger, new VirtualClock());
    log.connectionUp('tor');
    log.connectionUp('tor');
    log.connectionDown('tor');
    log.connectionDown('tor');
    log.connectionUp('clearnet');
    expect(logger.entries.map((e) => [e.level, e.msg, e.fields])).to.deep.equal([
      ['info', 'zone tor has its first peer', { zone: 'tor' }],
      ['info', 'zone tor lost its last peer; it keeps dialling', { zone: 'tor' }],
      ['info', 'zone clearnet has its first peer', { zone: 'clearnet' }],
    ]);
  });

  it('logs a one-line summary every interval until stopped', async () => {
    const logger = new RecordingLogger();
    const clock = new VirtualClock();
    const log = new ZoneActivityLog(
      {
        zoneStatuses: () => [zone('clearnet', 1, 8), zone('tor', 0, 0, false)],
        relayStatus: () => ({ localWaiting: 2, waitReason: null, localInFlight: 1, pool: { local: 0, forward: 0, stem: 0, fluff: 0 } }),
      },
      logger,
      clock,
      1000,
    );
    await log.start();
    clock.advance(2500);
    expect(logger.entries.map((e) => e.msg)).to.deep.equal([
      'peers clearnet 1 in/8 out, tor 0 in/0 out (DOWN); local txs 2 queued, 1 in flight',
      'peers clearnet 1 in/8 out, tor 0 in/0 out (DOWN); local txs 2 queued, 1 in flight',
    ]);
    await log.stop();
    clock.advance(5000);
    expect(logger.entries).to.have.length(2);
    expect(clock.pendingTimers()).to.equal(0);
  });
});
