import { expect } from 'chai';
import { CarrierPool, DEFAULT_CARRIER_POOL, TAKE_YOUNG_CARRIER_POOL, type CarrierPoolConfig } from '../../src/relay/carrier-pool';
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
 * connection's age at a random moment of its life. For lifetimes L ~ U(8, 12) min the density is
 * ∝ P(L > a): flat to 8 min, then falling linearly; cut at 11 min (a carrier keeps a minute to
 * live), where the mass is 8 + 3 − 9/8 = 9.875. CDF in minutes.
 */
function targetAgeCdf(minutes: number): number {
  if (minutes <= 0) return 0;
  if (minutes <= 8) return minutes / 9.875;
  if (minutes >= 11) return 1;
  const d = minutes - 8;
  return (8 + d - (d * d) / 8) / 9.875;
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

/** How far from the law the pool's hand-outs may be: what a small pool's draws reach (see the relay README's bench). */
const KS_TOLERANCE = 0.08;

describe('CarrierPool: hand-out ages and bounds', function () {
  this.timeout(60_000);

  it('hands carriers out at ages that follow an ordinary connection’s age at a send, at 60 and at 12 carriers/h', async () => {
    for (const perHour of [60, 12]) {
      const { ages, wanted } = await underDemand({}, perHour, 40);
      expect(ages.length, `carriers taken at ${perHour}/h`).to.be.greaterThan(perHour * 30);
      expect(wanted).to.be.below(5);
      expect(ksDistance(ages, targetAgeCdf), `KS distance at ${perHour}/h`).to.be.below(KS_TOLERANCE);
      expect(Math.max(...ages)).to.be.at.most(11);
    }
  });

  it('the same check fails for the pool before, which hands out the earliest slot whatever the age', async () => {
    for (const perHour of [60, 12]) {
      const { ages } = await underDemand(TAKE_YOUNG_CARRIER_POOL, perHour, 40);
      expect(ages.length).to.be.greaterThan(perHour * 20);
      expect(ksDistance(ages, targetAgeCdf), `KS distance at ${perHour}/h`).to.be.above(KS_TOLERANCE + 0.05);
    }
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
    // The rate climbs with the hour's average of takes until it meets the ceiling, never past it.
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
    expect(maxOpenNow).to.be.at.most(DEFAULT_CARRIER_POOL.maxOpen);
    expect(opener.carriers.length).to.be.at.most(6 + 2 * DEFAULT_CARRIER_POOL.maxOpensPerHour * 1.1);
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
