import { expect } from 'chai';
import { IntervalSummaryLog } from '../../src/logging/interval-summary-log';
import { RecordingLogger, VirtualClock } from '@veilnode/plugin-api/testing';

describe('IntervalSummaryLog (rate-limited log lines for events outsiders cause)', () => {
  it('logs one line per interval with the counts by reason, nothing while quiet', () => {
    const clock = new VirtualClock();
    const logger = new RecordingLogger();
    const log = new IntervalSummaryLog({ logger, message: 'refused', intervalMs: 1000, clock, fields: { zone: 'z' } });
    for (let i = 0; i < 10_000; i++) log.count(i % 4 === 0 ? 'zoneFull' : 'perIpLimit');
    expect(logger.entries).to.have.length(0);
    clock.advance(1000);
    expect(logger.entries).to.have.length(1);
    expect(logger.entries[0]).to.deep.include({ level: 'info', msg: 'refused' });
    expect(logger.entries[0].fields).to.deep.equal({ zone: 'z', total: 10_000, byReason: { zoneFull: 2500, perIpLimit: 7500 }, intervalMs: 1000 });
    clock.advance(10_000);
    expect(logger.entries, 'a quiet interval logs nothing').to.have.length(1);
    log.count('zoneFull');
    log.flush();
    expect(logger.entries).to.have.length(2);
    expect(logger.entries[1].fields).to.deep.include({ total: 1, byReason: { zoneFull: 1 } });
    expect(clock.pendingTimers(), 'flush cancels the interval timer').to.equal(0);
  });

  it('bounds the reasons it keeps apart', () => {
    const clock = new VirtualClock();
    const logger = new RecordingLogger();
    const log = new IntervalSummaryLog({ logger, message: 'refused', intervalMs: 1000, clock });
    for (let i = 0; i < 1000; i++) log.count(`reason-${i}`);
    log.flush();
    const byReason = (logger.entries[0].fields as { byReason: Record<string, number> }).byReason;
    expect(Object.keys(byReason)).to.have.length(17);
    expect(byReason.other).to.equal(1000 - 16);
  });
});
