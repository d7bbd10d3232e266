import { expect } from 'chai';
import { CarrierPool } from '../../src/relay/carrier-pool';
import { anonymityZone, CarrierError } from '../../src/relay/carrier-port';
import { EchoTracker, type EchoTrackerConfig } from '../../src/relay/echo-tracker';
import { SeededRng } from '../../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import { FakeOpener, settle } from './carrier-fakes';

const TOR = anonymityZone({ name: 'tor', anonymity: true });
const MIN = 60_000;
const tx = (id: string) => ({ id, blob: new Uint8Array(Buffer.from(id)) });

async function setup(config: Partial<EchoTrackerConfig> = {}, poolSize = 6) {
  const clock = new VirtualClock();
  const opener = new FakeOpener();
  const pool = new CarrierPool(TOR, { clock, rng: new SeededRng(3), opener }, { targetSize: poolSize, maxOpen: 2 * poolSize });
  const tracker = new EchoTracker([pool], { clock }, config);
  pool.start();
  await settle();
  const run = async (ms: number) => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advance(Math.min(1_000, end - clock.now()));
      await settle();
    }
  };
  const status = (id: string) => tracker.status().find((s) => s.txId === id);
  return { clock, opener, pool, tracker, run, status };
}

describe('EchoTracker', () => {
  it('sends each tx on fan-out carriers of its own: no two txs ever share a carrier', async () => {
    const { opener, tracker, run } = await setup({ fanout: 2 });
    for (const id of ['a', 'b', 'c']) {
      tracker.submit(tx(id));
      await run(10_000);
    }
    const sends = opener.sends();
    expect(sends).to.have.length(6);
    expect(new Set(sends.map((s) => s.carrier)).size).to.equal(6);
    for (const id of ['a', 'b', 'c']) expect(sends.filter((s) => s.tx === id)).to.have.length(2);
  });

  it('is delivered only by an echo from something other than its carriers', async () => {
    const { opener, tracker, status } = await setup();
    tracker.submit(tx('a'));
    const [c1] = opener.carriers.filter((c) => c.sent.length > 0);
    tracker.onTxReceived('a', { kind: 'connection', zone: 'tor', connectionId: c1.id });
    expect(status('a')).to.include({ delivered: false, echoed: 0, carriersUsed: 2, sent: 2, waiting: 'echo' });
    tracker.onTxReceived('a', { kind: 'connection', zone: 'clearnet', connectionId: 'p7' });
    expect(status('a')).to.include({ delivered: true, echoed: 1, waiting: null });
    tracker.onTxReceived('a', { kind: 'upstream' });
    expect(status('a')).to.include({ echoed: 2 });
  });

  it('re-sends on new carriers with doubling waits until echoed, and then stops', async () => {
    const { opener, tracker, run, status } = await setup({ echoTimeoutMs: 2 * MIN, maxCarriersPerHour: 100 });
    tracker.submit(tx('a'));
    const sendTimes = () => opener.sends().filter((s) => s.tx === 'a').length;
    expect(sendTimes()).to.equal(2);
    await run(2 * MIN - 1_000);
    expect(sendTimes()).to.equal(2);
    await run(2_000);
    expect(sendTimes()).to.equal(4);
    await run(4 * MIN);
    expect(sendTimes()).to.equal(6);
    const carriers = opener.sends().filter((s) => s.tx === 'a').map((s) => s.carrier);
    expect(new Set(carriers).size).to.equal(6);
    tracker.onTxReceived('a', { kind: 'upstream' });
    await run(50 * MIN);
    expect(sendTimes()).to.equal(6);
    expect(status('a')).to.include({ delivered: true, carriersUsed: 6, sent: 6 });
  });

  it('peers that drop the connection on receipt cannot make us use more than the hourly cap', async () => {
    const { opener, tracker, run, status } = await setup({ echoTimeoutMs: 30_000, maxEchoTimeoutMs: 30_000, maxCarriersPerHour: 8 }, 12);
    const dropOnReceipt = () => {
      for (const c of opener.carriers) {
        if ((c as { wrapped?: boolean }).wrapped) continue;
        Object.assign(c, { wrapped: true });
        const send = c.send.bind(c);
        c.send = (t) => {
          const ok = send(t);
          c.drop();
          return ok;
        };
      }
    };
    dropOnReceipt();
    tracker.submit(tx('a'));
    for (let i = 0; i < 59; i++) {
      await run(MIN);
      dropOnReceipt();
    }
    expect(status('a')).to.include({ carriersUsed: 8, sent: 8, delivered: false, waiting: 'hourly-cap' });
    expect(opener.carriers.filter((c) => c.sent.length > 0)).to.have.length(8);
  });

  it('withholding echoes: at most maxCarriersPerHour carriers per tx in any hour, then it waits for the window', async () => {
    const { tracker, run, status } = await setup({ echoTimeoutMs: 10_000, maxEchoTimeoutMs: 10_000, maxCarriersPerHour: 8 }, 12);
    tracker.submit(tx('a'));
    await run(59 * MIN);
    expect(status('a')).to.include({ carriersUsed: 8, sent: 8, waiting: 'hourly-cap' });
    await run(3 * MIN);
    expect(status('a')?.carriersUsed).to.be.within(9, 16);
  });

  it('with no carrier at all the tx waits and goes out as soon as one is warm, never anywhere else', async () => {
    const clock = new VirtualClock();
    const opener = new FakeOpener();
    opener.failing = true;
    const pool = new CarrierPool(TOR, { clock, rng: new SeededRng(5), opener }, { targetSize: 2, maxOpen: 4 });
    const tracker = new EchoTracker([pool], { clock });
    pool.start();
    await settle();
    tracker.submit(tx('a'));
    clock.advance(30 * MIN);
    await settle();
    expect(tracker.status()[0]).to.include({ sent: 0, carriersUsed: 0, waiting: 'no-carrier' });
    expect(opener.sends()).to.deep.equal([]);
    opener.failing = false;
    for (let i = 0; i < 60 && tracker.status()[0].sent === 0; i++) {
      clock.advance(60_000);
      await settle();
    }
    expect(tracker.status()[0].sent).to.be.at.least(1);
    expect(opener.zonesAsked.every((z) => z === 'tor')).to.equal(true);
  });

  it('a carrier that dies between take and send costs one carrier and the tx goes on the next', async () => {
    const { opener, tracker, status } = await setup({ fanout: 2 });
    // The first carrier the pool will hand out is already closed (its peer dropped it) but the
    // pool has not yet heard: simulate by making send() fail once.
    let failed = false;
    for (const c of opener.carriers) {
      const send = c.send.bind(c);
      c.send = (t) => {
        if (!failed) {
          failed = true;
          return false;
        }
        return send(t);
      };
    }
    tracker.submit(tx('a'));
    expect(status('a')).to.include({ sent: 2, carriersUsed: 3 });
  });

  it('bounds the txs it tracks and forgets a delivered one after keepDeliveredMs', async () => {
    const { tracker, run } = await setup({ maxTxs: 2, keepDeliveredMs: 10 * MIN });
    tracker.submit(tx('a'));
    tracker.submit(tx('b'));
    expect(() => tracker.submit(tx('c'))).to.throw(CarrierError).with.property('code', 'TRACKER_FULL');
    tracker.onTxReceived('a', { kind: 'upstream' });
    tracker.submit(tx('c'));
    expect(tracker.status().map((s) => s.txId)).to.deep.equal(['b', 'c']);
    tracker.onTxReceived('c', { kind: 'upstream' });
    await run(10 * MIN + 1_000);
    expect(tracker.status().map((s) => s.txId)).to.deep.equal(['b']);
  });

  it('rejects a config whose hourly cap is below the fan-out, or without pools', () => {
    const clock = new VirtualClock();
    const pool = new CarrierPool(TOR, { clock, rng: new SeededRng(1), opener: new FakeOpener() });
    expect(() => new EchoTracker([pool], { clock }, { fanout: 3, maxCarriersPerHour: 2 })).to.throw(CarrierError);
    expect(() => new EchoTracker([], { clock })).to.throw(CarrierError);
  });
});
