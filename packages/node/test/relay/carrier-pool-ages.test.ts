import { expect } from 'chai';
import { CarrierPool, type CarrierPoolConfig } from '../../src/relay/carrier-pool';
import { anonymityZone, CarrierError, type CarrierHandle } from '../../src/relay/carrier-port';
import { EchoTracker } from '../../src/relay/echo-tracker';
import { exponentialDelay } from '../../src/time/distributions';
import { SeededRng } from '../../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import { FakeOpener, settle } from './carrier-fakes';

const TOR = anonymityZone({ name: 'tor', anonymity: true });
const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The law a carrier's age at its hand-out must follow with the default pool: an ordinary
 * connection's age at a random moment of its life, less the minute a carrier must have left. For
 * lifetimes L ~ U(8, 12) min the density is ∝ P(L > a + 1 min): flat to 7 min, then falling
 * linearly to 0 at 11 min. CDF in minutes.
 */
function targetAgeCdf(minutes: number): number {
  if (minutes <= 0) return 0;
  if (minutes <= 7) return minutes / 9;
  if (minutes >= 11) return 1;
  return (7 + ((minutes - 7) * (15 - minutes)) / 8) / 9;
}

/** Kolmogorov–Smirnov distance between a sample and a CDF. */
function ksDistance(sample: readonly number[], cdf: (x: number) => number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  let d = 0;
  sorted.forEach((x, i) => {
    d = Math.max(d, Math.abs(cdf(x) - i / sorted.length), Math.abs(cdf(x) - (i + 1) / sorted.length));
  });
  return d;
}

/**
 * A pool under a sender who wants `perHour` carriers (Poisson arrivals), each taken as soon as the
 * pool has one to give; records the age of every carrier handed out (from the moment it was opened).
 */
async function underDemand(config: Partial<CarrierPoolConfig>, perHour: number, hours: number, seed = 11) {
  const clock = new VirtualClock();
  const opener = new FakeOpener();
  const openedAt = new Map<string, number>();
  const open = opener.open.bind(opener);
  let maxOpenNow = 0;
  opener.open = async (zone) => {
    const handle = await open(zone);
    openedAt.set(handle.id, clock.now());
    return handle;
  };
  const rng = new SeededRng(seed);
  const pool = new CarrierPool(TOR, { clock, rng: new SeededRng(seed + 1), opener }, config);
  const ages: number[] = [];
  const opensPerHour: number[] = [];
  let wanted = 0;
  const serve = () => {
    while (wanted > 0) {
      const [carrier] = pool.take(1) as (CarrierHandle | undefined)[];
      if (carrier === undefined) return;
      ages.push(clock.now() - (openedAt.get(carrier.id) as number));
      wanted--;
    }
  };
  pool.onWarm(serve);
  const arrive = () => {
    clock.setTimer(exponentialDelay(rng, HOUR / perHour), () => {
      wanted++;
      serve();
      arrive();
    });
  };
  pool.start();
  await settle();
  // The first fill may go at any age (it came up with the ordinary connections): sample after it is gone.
  const warmUp = 15 * MIN;
  if (perHour > 0) arrive();
  for (let t = 0; t < hours * HOUR; t += 2_000) {
    clock.advance(2_000);
    await settle();
    maxOpenNow = Math.max(maxOpenNow, opener.carriers.filter((c) => !c.closed).length + pool.stats().opening);
    if (t % HOUR === 0) opensPerHour.push(pool.stats().opensPerHour);
    if (t === warmUp) ages.length = 0;
  }
  return { clock, opener, pool, ages: ages.map((a) => a / MIN), wanted, maxOpenNow, opensPerHour };
}

/** The pool as it was before ages were drawn: a carrier is taken as soon as it is up. */
const TAKE_YOUNG: Partial<CarrierPoolConfig> = { minRemainingMs: 2 * MIN, maxOpen: 12, handoutAgeMaxMs: 0, handoutWindowMs: 12 * MIN, maxOpensPerHour: 36 };

describe('CarrierPool: hand-out ages and bounds', function () {
  this.timeout(60_000);

  it('hands carriers out at ages that follow an ordinary connection’s age at a send, at 60 and at 12 carriers/h', async () => {
    for (const perHour of [60, 12]) {
      const { ages } = await underDemand({}, perHour, 20);
      expect(ages.length, `carriers taken at ${perHour}/h`).to.be.greaterThan(perHour * 12);
      // KS at n ≥ 144: the 1 % critical value is 1.63/√n ≤ 0.14; a pool handing out young carriers is far off (below).
      expect(ksDistance(ages, targetAgeCdf), `KS distance at ${perHour}/h`).to.be.below(1.63 / Math.sqrt(ages.length));
      expect(Math.max(...ages)).to.be.below(11.5);
    }
  });

  it('the same check fails for a pool that hands out its youngest carriers', async () => {
    const { ages } = await underDemand(TAKE_YOUNG, 60, 20);
    expect(ages.length).to.be.greaterThan(300);
    expect(ksDistance(ages, targetAgeCdf)).to.be.above(0.3);
  });

  it('opens faster for a fast sender, within maxOpensPerHour and maxOpen, and no faster than idle for a slow one', async () => {
    const slow = await underDemand({}, 6, 6);
    expect(Math.max(...slow.opensPerHour)).to.equal(36);
    const fast = await underDemand({}, 60, 6);
    expect(fast.opensPerHour.at(-1)).to.be.above(60);
    expect(fast.wanted, 'carriers still wanted at the end').to.be.below(10);
  });

  it('a flood of local txs moves nothing past its bounds (open at once, opens per hour)', async () => {
    const config = { maxOpen: 24, maxOpensPerHour: 120 };
    const flood = await underDemand(config, 6_000, 8);
    expect(flood.maxOpenNow).to.be.at.most(24);
    // The rate climbs by 1.5× per hour of averaging until it meets the ceiling, never past it.
    expect(flood.opensPerHour[2]).to.be.above(60);
    expect(Math.max(...flood.opensPerHour)).to.equal(120);
    // 8 h at ≤ 120 opens/h (Poisson) plus the first fill.
    expect(flood.opener.carriers.length).to.be.within(500, 6 + 8 * 120 * 1.1);
    expect(flood.pool.stats().skippedAtCap).to.be.greaterThan(0);
    flood.pool.stop();
  });

  it('1,000 local txs at once: the tracker refuses the next, and the pool stays within maxOpen and maxOpensPerHour', async () => {
    const clock = new VirtualClock();
    const opener = new FakeOpener();
    const pool = new CarrierPool(TOR, { clock, rng: new SeededRng(4), opener });
    const tracker = new EchoTracker([pool], { clock });
    pool.start();
    await settle();
    for (let i = 0; i < 1_000; i++) tracker.submit({ id: `t${i}`, blob: new Uint8Array([i & 0xff]) });
    expect(() => tracker.submit({ id: 'one-more', blob: new Uint8Array([1]) })).to.throw(CarrierError).with.property('code', 'TRACKER_FULL');
    let maxOpenNow = 0;
    for (let t = 0; t < 2 * HOUR; t += 5_000) {
      clock.advance(5_000);
      await settle();
      maxOpenNow = Math.max(maxOpenNow, opener.carriers.filter((c) => !c.closed).length + pool.stats().opening);
    }
    expect(maxOpenNow).to.be.at.most(24);
    expect(opener.carriers.length).to.be.at.most(6 + 2 * 120 * 1.1);
    expect(opener.sends().length).to.be.greaterThan(40);
    tracker.stop();
    pool.stop();
    expect(clock.pendingTimers()).to.equal(0);
  });

  it('stop() leaves no timers and retires every carrier', async () => {
    const { clock, opener, pool } = await underDemand({}, 60, 1);
    expect(clock.pendingTimers()).to.be.greaterThan(1);
    pool.stop();
    // The demand generator's own timer is the only one left.
    expect(clock.pendingTimers()).to.equal(1);
    expect(opener.carriers.every((c) => c.closed)).to.equal(true);
  });
});
