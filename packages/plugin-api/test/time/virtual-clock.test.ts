import { expect } from 'chai';
import * as sinon from 'sinon';
import { SystemClock } from '../../src/time/clock';
import { VirtualClock } from '../../src/testing/virtual-clock';

describe('VirtualClock', () => {
  it('fires timers in due order, same-instant timers in creation order, and only when due', () => {
    const clock = new VirtualClock(1000);
    const fired: string[] = [];
    clock.setTimer(50, () => fired.push('b@' + clock.now()));
    clock.setTimer(10, () => fired.push('a@' + clock.now()));
    clock.setTimer(50, () => fired.push('c@' + clock.now()));
    clock.advance(9);
    expect(fired).to.deep.equal([]);
    clock.advance(41);
    expect(fired).to.deep.equal(['a@1010', 'b@1050', 'c@1050']);
    expect(clock.now()).to.equal(1050);
  });

  it('runs timers set by timers within the same advance and honours cancel', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const cancelled = clock.setTimer(30, () => fired.push(-1));
    clock.setTimer(10, () => {
      fired.push(clock.now());
      clock.setTimer(5, () => fired.push(clock.now()));
    });
    cancelled.cancel();
    expect(clock.pendingTimers()).to.equal(1);
    clock.advance(100);
    expect(fired).to.deep.equal([10, 15]);
    expect(clock.now()).to.equal(100);
    expect(clock.nextDue()).to.equal(undefined);
  });

  it('treats a negative delay as zero', () => {
    const clock = new VirtualClock(5);
    let at = -1;
    clock.setTimer(-20, () => (at = clock.now()));
    clock.advance(0);
    expect(at).to.equal(5);
  });
});

describe('SystemClock', () => {
  let fake: sinon.SinonFakeTimers;
  beforeEach(() => (fake = sinon.useFakeTimers()));
  afterEach(() => fake.restore());

  it('schedules through Node timers and can cancel', () => {
    const clock = new SystemClock();
    const fired: string[] = [];
    clock.setTimer(100, () => fired.push('kept'));
    clock.setTimer(50, () => fired.push('cancelled')).cancel();
    fake.tick(99);
    expect(fired).to.deep.equal([]);
    fake.tick(1);
    expect(fired).to.deep.equal(['kept']);
  });

  it('fires timers longer than Node\'s 24.8-day limit on time, not after 1 ms', () => {
    const clock = new SystemClock();
    const fired: number[] = [];
    const fortyDays = 40 * 24 * 3600_000;
    clock.setTimer(fortyDays, () => fired.push(Date.now()));
    fake.tick(fortyDays - 1);
    expect(fired).to.deep.equal([]);
    fake.tick(1);
    expect(fired).to.deep.equal([fortyDays]);
    const cancelled = clock.setTimer(fortyDays, () => fired.push(-1));
    fake.tick(30 * 24 * 3600_000);
    cancelled.cancel();
    fake.tick(fortyDays);
    expect(fired).to.deep.equal([fortyDays]);
  });
});
