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

  it('opens at the same times whether or not txs take carriers (the schedule ignores txs)', async () => {
    const idle = setup({}, 7);
    const busy = setup({}, 7);
    idle.pool.start();
    busy.pool.start();
    const openTimes = (o: FakeOpener, clock: VirtualClock, log: number[]) => {
      const open = o.open.bind(o);
      o.open = (zone) => {
        log.push(clock.now());
        return open(zone);
      };
    };
    const idleLog: number[] = [];
    const busyLog: number[] = [];
    openTimes(idle.opener, idle.clock, idleLog);
    openTimes(busy.opener, busy.clock, busyLog);
    for (let minute = 0; minute < 120; minute++) {
      await run(idle.clock, MIN);
      await run(busy.clock, MIN);
      busy.pool.take(2);
    }
    expect(busyLog.length).to.be.greaterThan(30);
    // take() draws from the rng too, so compare the counts and the cadence, not single instants.
    expect(Math.abs(busyLog.length - idleLog.length)).to.be.at.most(12);
    const closedBusy = busy.opener.carriers.filter((c) => c.retired).length;
    expect(closedBusy).to.be.greaterThan(20);
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

  it('hands out the warm carriers whose noise slot comes first, and draws uniformly among equal ones', async () => {
    const { opener, pool } = setup({ targetSize: 4 });
    pool.start();
    await settle();
    opener.carriers.forEach((c, i) => (c.slotAt = [9_000, 3_000, 12_000, 5_000][i]));
    expect(pool.take(2).map((h) => h.id)).to.deep.equal([opener.carriers[1].id, opener.carriers[3].id]);
    // Without slot times (no noise) every warm carrier is as likely: over many pools each comes first.
    const firsts = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const s = setup({ targetSize: 4 }, seed);
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

  it('a failed open is counted and not retried early: openings stay on the schedule', async () => {
    const { clock, opener, pool } = setup({ targetSize: 6 });
    opener.failing = true;
    pool.start();
    await run(clock, 60 * MIN);
    const attempts = opener.zonesAsked.length;
    // 6 at start + ~36 in an hour (one per 100 s); a retry loop would make thousands.
    expect(attempts).to.be.within(20, 60);
    expect(pool.stats()).to.include({ warm: 0, opened: 0, openFailures: attempts });
    expect(pool.take(2)).to.deep.equal([]);
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
  });
});
