import { expect } from 'chai';
import { DialError, DialErrorCode } from '@veilnode/plugin-api';
import { CarrierPool } from '../../src/relay/carrier-pool';
import { anonymityZone, CarrierError } from '../../src/relay/carrier-port';
import { SeededRng } from '../../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import { FakeOpener, settle } from './carrier-fakes';

const TOR = anonymityZone({ name: 'tor', anonymity: true });
const MIN = 60_000;

function setup(config = {}, seed = 1) {
  const clock = new VirtualClock();
  const opener = new FakeOpener();
  const pool = new CarrierPool(TOR, { clock, rng: new SeededRng(seed), opener }, config);
  return { clock, opener, pool };
}

/** Advances virtual time in 1 s steps, letting carrier opens settle in between. */
async function run(clock: VirtualClock, ms: number) {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    clock.advance(Math.min(1_000, end - clock.now()));
    await settle();
  }
}

describe('CarrierPool', () => {
  it('refuses a public zone at the type edge: no carrier can exist for it', () => {
    expect(() => anonymityZone({ name: 'clearnet', anonymity: false })).to.throw(CarrierError).with.property('code', 'NOT_ANONYMITY_ZONE');
  });

  it('fills the pool at start, then opens on a Poisson schedule at targetSize / mean lifetime', async () => {
    const { clock, opener, pool } = setup({ targetSize: 6 });
    pool.start();
    await settle();
    expect(pool.stats()).to.include({ warm: 6, opened: 6 });
    await run(clock, 600 * MIN);
    // 10 h at one opening per 100 s on average: 360 expected (Poisson, sd 19).
    const opened = opener.carriers.length - 6;
    expect(opened).to.be.within(300, 420);
    expect(opener.zonesAsked.every((z) => z === 'tor')).to.equal(true);
    // Steady state: about targetSize open at once, never more than maxOpen.
    const open = opener.carriers.filter((c) => !c.closed).length;
    expect(open).to.be.within(1, 12);
  });

  it('one tx leaves the opening rate alone; a sender taking carriers for hours raises it to 2× its taken rate, within maxOpensPerHour', async () => {
    const { clock, pool } = setup({}, 7);
    pool.start();
    await run(clock, 30 * MIN);
    expect(pool.stats().opensPerHour).to.be.closeTo(36, 1e-9);
    pool.take(2);
    expect(pool.stats().opensPerHour).to.be.closeTo(36, 1e-9);
    // 3 h of one tx a minute at fan-out 2 (the pool gives what it has): the hour's average of takes sets the rate.
    let taken = 0;
    for (let minute = 0; minute < 180; minute++) {
      await run(clock, MIN);
      taken += pool.take(2).length;
    }
    const rate = pool.stats().opensPerHour;
    expect(taken).to.be.greaterThan(150);
    expect(rate).to.be.above(36).and.at.most(150);
    // An hour of silence halves the excess demand on its way back down (e ≈ 2.7 per hour).
    await run(clock, 60 * MIN);
    expect(pool.stats().opensPerHour).to.be.below(rate / 2).and.at.least(36);
  });

  it('hands a carrier out once, never back, and retires it at its drawn lifetime, not after the send', async () => {
    const { clock, opener, pool } = setup({ targetSize: 2, lifetimeMinMs: 8 * MIN, lifetimeRangeMs: 4 * MIN });
    pool.start();
    await settle();
    const [a, b] = pool.take(2);
    expect(a.id).to.not.equal(b.id);
    expect(pool.take(2)).to.deep.equal([]);
    // An empty pool does not open on demand: opening stays on the schedule.
    await settle();
    expect(opener.carriers).to.have.length(2);
    a.send({ id: 't1', blob: new Uint8Array([1]) });
    await run(clock, 8 * MIN - 1_000);
    expect(opener.carriers[0].retired).to.equal(false);
    await run(clock, 4 * MIN + 1_000);
    expect(opener.carriers[0].retired).to.equal(true);
    expect(opener.carriers[1].retired).to.equal(true);
    // Carriers opened later are new ones; the two used ones never come back.
    const later = pool.take(10);
    expect(later.map((h) => h.id)).to.not.include.members([a.id, b.id]);
  });

  it('without age matching (the old pool), hands out the warm carriers whose noise slot comes first, and draws uniformly among equal ones', async () => {
    const { opener, pool } = setup({ targetSize: 4, ageMatching: false });
    pool.start();
    await settle();
    opener.carriers.forEach((c, i) => (c.slotAt = [9_000, 3_000, 12_000, 5_000][i]));
    expect(pool.take(2).map((h) => h.id)).to.deep.equal([opener.carriers[1].id, opener.carriers[3].id]);
    // Without slot times (no noise) every warm carrier is as likely: over many pools each comes first.
    const firsts = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const s = setup({ targetSize: 4, ageMatching: false }, seed);
      s.pool.start();
      await settle();
      firsts.add(s.pool.take(1)[0].id.split('-c')[1]);
    }
    expect(firsts).to.deep.equal(new Set(['1', '2', '3', '4']));
  });

  it('does not hand out a carrier with less than minRemainingMs of life left', async () => {
    const { clock, pool } = setup({ targetSize: 1, maxOpen: 1, lifetimeMinMs: 10 * MIN, lifetimeRangeMs: 0, minRemainingMs: 2 * MIN });
    pool.start();
    await settle();
    await run(clock, 8 * MIN + 1_000);
    expect(pool.stats().warm).to.equal(1);
    expect(pool.take(1)).to.deep.equal([]);
  });

  it('of carriers of one age, hands out the earliest of slotCandidates (3) drawn: the tx waits less, the age law is kept', async () => {
    let earliest = 0;
    const picked = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const s = setup({ targetSize: 4 }, seed);
      s.pool.start();
      await settle();
      s.opener.carriers.forEach((c, i) => (c.slotAt = [9_000, 3_000, 12_000, 5_000][i]));
      const [id] = s.pool.take(1).map((h) => h.id);
      picked.add(id.split('-c')[1]);
      if (id === s.opener.carriers[1].id) earliest++;
    }
    // 3 draws with replacement among 4 equal weights include the earliest with P = 1 − (3/4)³ ≈ 0.58 (1/4 without slots).
    expect(earliest / 200).to.be.within(0.48, 0.68);
    // The latest slot goes only when all 3 draws hit it (1/64), the second latest sometimes: each can still go.
    expect([...picked]).to.include.members(['1', '2', '4']);
  });

  it('a failed open is counted and not retried: failures in a row stretch the schedule (×2 each, up to ×8)', async () => {
    const { clock, opener, pool } = setup({ targetSize: 6 });
    opener.failing = true;
    pool.start();
    await run(clock, 120 * MIN);
    const attempts = opener.zonesAsked.length;
    // 6 at start, then one per 800 s on average (100 s × 8): ~9 in 2 h; on schedule alone it would be 72.
    expect(attempts).to.be.within(8, 24);
    expect(pool.stats()).to.include({ warm: 0, opened: 0, openFailures: attempts });
    expect(pool.take(2)).to.deep.equal([]);
    // The first success ends the back-off: the idle rate again (one per 100 s: ~36 in an hour).
    opener.failing = false;
    await run(clock, 30 * MIN);
    const before = opener.zonesAsked.length;
    await run(clock, 60 * MIN);
    expect(opener.zonesAsked.length - before).to.be.within(24, 50);
  });

  it('logs a failed open by its error code, never its message (a dial error names the peer)', async () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const log = (o: object, msg?: string) => void lines.push(JSON.stringify({ ...o, msg }));
    const logger = { trace: log, debug: log, info: log, warn: log, error: log, child: () => logger };
    const opener = { open: () => Promise.reject(new DialError(DialErrorCode.HostUnreachable, 'dial peerxyz.onion:18083 failed', {})) };
    const pool = new CarrierPool(TOR, { clock, rng: new SeededRng(1), opener, logger }, { targetSize: 2 });
    pool.start();
    await settle();
    expect(lines).to.have.length(2);
    expect(lines.join('\n')).to.include(DialErrorCode.HostUnreachable).and.not.include('onion');
  });

  it('refuses a handle of another zone and retires it', async () => {
    const { opener, pool } = setup({ targetSize: 2 });
    opener.wrongZone = anonymityZone({ name: 'i2p', anonymity: true });
    pool.start();
    await settle();
    expect(pool.take(2)).to.deep.equal([]);
    expect(opener.carriers.every((c) => c.retired)).to.equal(true);
    expect(pool.stats().openFailures).to.equal(2);
  });

  it('forgets a carrier whose peer drops it, and stop() retires the rest', async () => {
    const { opener, pool } = setup({ targetSize: 3 });
    pool.start();
    await settle();
    opener.carriers[0].drop();
    expect(pool.stats().warm).to.equal(2);
    expect(pool.take(3).map((h) => h.id)).to.not.include(opener.carriers[0].id);
    pool.stop();
    expect(opener.carriers.every((c) => c.closed)).to.equal(true);
  });

  it('never has more than maxOpen carriers open or opening', async () => {
    const { clock, opener, pool } = setup({ targetSize: 6, maxOpen: 6, lifetimeMinMs: 60 * MIN, lifetimeRangeMs: 0 });
    pool.start();
    await run(clock, 59 * MIN);
    expect(opener.carriers.filter((c) => !c.closed).length).to.equal(6);
    expect(pool.stats().skippedAtCap).to.be.greaterThan(0);
  });

  it('rejects a config without a positive pool size or with lifetimes shorter than the send margin', () => {
    expect(() => setup({ targetSize: 0 })).to.throw(CarrierError);
    expect(() => setup({ targetSize: 4, maxOpen: 2 })).to.throw(CarrierError);
    expect(() => setup({ lifetimeMinMs: MIN, minRemainingMs: 2 * MIN })).to.throw(CarrierError);
    expect(() => setup({ slotCandidates: 0 })).to.throw(CarrierError);
    expect(() => setup({ maxOpensPerHour: 10 })).to.throw(CarrierError);
  });
});
