import { expect } from 'chai';
import { CarrierError, type CarrierOpener } from '../../src/relay/carrier-port';
import type { LocalTxEvents } from '../../src/relay/local-tx-events';
import { MemoryTxStore } from '../../src/relay/local-tx-store';
import type { RelayEngineConfig } from '../../src/relay/relay-engine-config';
import { blob, engineHarness, txIdOf } from './engine-harness';
import { FakeOpener, settle } from './carrier-fakes';

/** A public zone, a noise Tor zone and a noise-free I2P zone; carriers only on Tor unless told. */
function config(noise = true): RelayEngineConfig {
  return {
    zones: [
      { name: 'public', anonymity: false, noise: false, targetOutbound: 12 },
      { name: 'tor', anonymity: true, noise, targetOutbound: 4 },
    ],
    rotation: false,
    crossZoneDelay: { minMs: 0, maxMs: 0 },
    privateBroadcast: { fanout: 2, pool: { targetSize: 4, maxOpen: 8 } },
  };
}

function pbHarness(options: { noise?: boolean; opener?: FakeOpener; store?: MemoryTxStore; localTxEvents?: LocalTxEvents } = {}) {
  const opener = options.opener ?? new FakeOpener();
  const h = engineHarness(config(options.noise ?? true), { store: options.store, deps: { carriers: new Map<string, CarrierOpener>([['tor', opener]]), localTxEvents: options.localTxEvents } });
  h.engine.start();
  const connect = () => {
    for (const id of ['p-in1', 'p-out1', 'p-out2']) h.up('public', id, id.startsWith('p-in') ? 'inbound' : 'outbound');
    for (const id of ['t-out1', 't-out2', 't-out3']) h.up('tor', id, 'outbound');
  };
  /** Every frame or 2002 on an ordinary connection that holds the tx's bytes (fake real slots start 0xAA). */
  const leaks = (id: string) => [...h.txSends(id), ...h.sent.filter((s) => s.kind === 'slot' && s.frame[0] === 0xaa)];
  return { ...h, opener, connect, leaks };
}

describe('RelayEngine: private broadcast (local txs on carriers, delivered by echo)', () => {
  it('sends a local tx only on 2 fresh carriers, never on the stem selection, noise channels or the public zone', async () => {
    for (const noise of [true, false]) {
      const h = pbHarness({ noise });
      h.connect();
      await settle();
      expect(h.opener.carriers, 'the pool opened once the zone had a connection').to.have.length(4);
      const { txId, status } = await h.engine.submitLocal(blob('a'));
      expect(status).to.equal('sent');
      h.clock.advance(60_000);
      expect(h.opener.sends().filter((s) => s.tx === txId)).to.have.length(2);
      expect(h.engine.privateBroadcastStatus()[0]).to.deep.include({ txId, carriersUsed: 2, sent: 2, echoed: 0, delivered: false });
      // no echo within 2 min: a second round on 2 new carriers, and still nothing elsewhere
      h.clock.advance(2 * 60_000);
      await settle();
      expect(h.opener.sends().filter((s) => s.tx === txId)).to.have.length(4);
      expect(h.leaks(txId), `noise ${noise}`).to.deep.equal([]);
      h.engine.stop();
    }
  });

  it('no two local txs share a carrier', async () => {
    const h = pbHarness();
    h.connect();
    await settle();
    const a = await h.engine.submitLocal(blob('a'));
    const b = await h.engine.submitLocal(blob('b'));
    const carriersOf = (id: string) => h.opener.sends().filter((s) => s.tx === id).map((s) => s.carrier);
    expect(carriersOf(a.txId)).to.have.length(2);
    expect(carriersOf(b.txId)).to.have.length(2);
    expect(carriersOf(a.txId).filter((c) => carriersOf(b.txId).includes(c))).to.deep.equal([]);
  });

  it('marks the journal delivered on an echo from another connection, not on an arrival over its own carrier nor on a carrier staying up', async () => {
    const store = new MemoryTxStore();
    const h = pbHarness({ store });
    h.connect();
    await settle();
    const tx = blob('e');
    const { txId } = await h.engine.submitLocal(tx);
    const [carrier] = h.opener.carriers.filter((c) => c.sent.some((t) => t.id === txId));
    h.engine.receive({ zone: 'tor', connectionId: carrier.id, txs: [{ id: txId, blob: tx }], fluff: false });
    h.clock.advance(5 * 60_000); // far past the old 30 s "carrier stayed up" rule
    await settle();
    expect(store.pending().map((t) => t.id), 'own carrier is no echo').to.deep.equal([txId]);
    expect(h.engine.status()).to.deep.include({ localWaiting: 0, localInFlight: 1 });
    h.engine.receive({ zone: 'public', connectionId: 'p-in1', txs: [{ id: txId, blob: tx }], fluff: true });
    await settle();
    expect(store.pending()).to.deep.equal([]);
    expect(h.engine.status()).to.deep.include({ localWaiting: 0, localInFlight: 0 });
    expect(h.engine.privateBroadcastStatus()[0]).to.deep.include({ txId, echoed: 1, delivered: true });
  });

  it('tells its observer accepted, sent (each round, with the carriers\u2019 zones only) and delivered by echo', async () => {
    const events: string[] = [];
    const localTxEvents: LocalTxEvents = {
      accepted: (r) => events.push(`accepted ${r.status}`),
      sent: (_id, zones) => events.push(`sent ${zones.join(',')}`),
      delivered: (_id, evidence) => events.push(`delivered ${evidence}`),
      rejected: (_id, reason) => events.push(`rejected ${reason}`),
    };
    const h = pbHarness({ localTxEvents });
    h.connect();
    await settle();
    const tx = blob('s');
    const { txId } = await h.engine.submitLocal(tx);
    h.clock.advance(2 * 60_000 + 1); // no echo: a second round
    await settle();
    h.engine.receive({ zone: 'public', connectionId: 'p-in1', txs: [{ id: txId, blob: tx }], fluff: true });
    await settle();
    expect(events).to.deep.equal(['accepted sent', 'sent tor', 'sent tor', 'delivered echoed']);
    h.engine.stop();
  });

  it('the upstream daemon listing the tx is an echo', async () => {
    const store = new MemoryTxStore();
    const h = pbHarness({ store });
    h.connect();
    await settle();
    const { txId } = await h.engine.submitLocal(blob('u'));
    h.engine.confirmDelivered(txId);
    await settle();
    expect(store.pending()).to.deep.equal([]);
    expect(h.engine.privateBroadcastStatus()[0]).to.deep.include({ txId, echoed: 1, delivered: true });
  });

  it('opener fails: the tx waits durably (queued, no-carrier) and nothing goes anywhere; it leaves once a carrier opens', async () => {
    const opener = new FakeOpener();
    opener.failing = true;
    const store = new MemoryTxStore();
    const h = pbHarness({ opener, store });
    h.connect();
    await settle();
    const { txId, status } = await h.engine.submitLocal(blob('w'));
    expect(status).to.equal('queued');
    expect(h.engine.status()).to.deep.include({ localWaiting: 1, waitReason: 'no-carrier' });
    h.clock.advance(30 * 60_000); // the pool keeps trying on its schedule, every open fails
    await settle();
    expect(opener.zonesAsked.length).to.be.greaterThan(4);
    expect(h.leaks(txId)).to.deep.equal([]);
    expect(store.pending().map((t) => t.id)).to.deep.equal([txId]);
    opener.failing = false;
    // Failures in a row stretched the schedule (one open per ~13 min): the next one comes within the hour.
    for (let minute = 0; minute < 60; minute++) {
      h.clock.advance(60_000);
      await settle();
    }
    expect(opener.sends().filter((s) => s.tx === txId).length).to.be.at.least(1);
    expect(h.leaks(txId)).to.deep.equal([]);
  });

  it('carriers that die before the send cost the tx carriers; when all are gone it waits, never falling back', async () => {
    const h = pbHarness();
    h.connect();
    await settle();
    for (const c of h.opener.carriers) c.drop(); // every warm carrier is gone before any tx
    h.opener.failing = true;
    const { txId, status } = await h.engine.submitLocal(blob('d'));
    expect(status).to.equal('queued');
    h.clock.advance(60 * 60_000);
    await settle();
    expect(h.leaks(txId)).to.deep.equal([]);
    expect(h.opener.sends()).to.deep.equal([]);
    expect(h.engine.status()).to.deep.include({ localWaiting: 1, waitReason: 'no-carrier' });
  });

  it('a zone that comes back after an outage refills an emptied pool at once, and the waiting tx leaves', async () => {
    const h = pbHarness();
    h.connect();
    await settle();
    for (const c of h.opener.carriers) c.drop();
    h.opener.failing = true;
    for (const id of ['t-out1', 't-out2', 't-out3']) h.down('tor', id);
    const { txId } = await h.engine.submitLocal(blob('o'));
    const opens = h.opener.zonesAsked.length;
    h.opener.failing = false;
    h.up('tor', 't-out4', 'outbound'); // no time passes: not the pool's schedule
    await settle();
    expect(h.opener.zonesAsked.length).to.equal(opens + 4);
    expect(h.opener.sends().filter((s) => s.tx === txId).length).to.be.at.least(1);
    h.up('tor', 't-out5', 'outbound'); // the pool is not empty: nothing more opens
    await settle();
    expect(h.opener.zonesAsked.length).to.equal(opens + 4);
  });

  it('a carrier whose send fails (closed under us) is replaced by another warm one', async () => {
    const h = pbHarness();
    h.connect();
    await settle();
    const [first] = h.opener.carriers;
    // closed at the peer, but the pool has not heard yet: its send returns false
    first.send = () => false;
    const { txId } = await h.engine.submitLocal(blob('r'));
    expect(h.opener.sends().filter((s) => s.tx === txId)).to.have.length(2);
    expect(h.leaks(txId)).to.deep.equal([]);
  });

  it('after a restart the journal’s undelivered txs go back to private broadcast, not to the selected outbound connections', async () => {
    const store = new MemoryTxStore();
    const tx = { id: txIdOf(blob('k')), blob: blob('k') };
    await store.enqueue(tx, Date.now());
    const h = pbHarness({ store });
    expect(h.engine.status()).to.deep.include({ localWaiting: 1, waitReason: 'no-carrier' });
    h.connect();
    await settle();
    // it goes on the first carrier that is warm (the tracker does not hold a tx back for a second)
    expect(h.opener.sends().filter((s) => s.tx === tx.id).length).to.be.at.least(1);
    expect(h.leaks(tx.id)).to.deep.equal([]);
    expect(h.engine.status()).to.deep.include({ localWaiting: 0, localInFlight: 1 });
  });

  it('flush_txpool stops the tracker sending the tx', async () => {
    const h = pbHarness();
    h.connect();
    await settle();
    for (const c of h.opener.carriers) c.drop();
    const { txId } = await h.engine.submitLocal(blob('f'));
    expect(await h.engine.flush([txId])).to.deep.equal([txId]);
    h.opener.failing = false;
    h.clock.advance(60 * 60_000);
    await settle();
    expect(h.opener.sends()).to.deep.equal([]);
    expect(h.engine.privateBroadcastStatus()).to.deep.equal([]);
  });

  it('forwarded txs still ride the zone’s noise channels', async () => {
    const h = pbHarness();
    h.connect();
    await settle();
    const tx = blob('x');
    h.engine.receive({ zone: 'public', connectionId: 'p-in1', txs: [{ id: txIdOf(tx), blob: tx }], fluff: true });
    h.clock.advance(60_000);
    expect(h.sent.some((s) => s.kind === 'slot' && s.zone === 'tor' && s.frame[0] === 0xaa), 'forwarded on a Tor noise channel').to.equal(true);
    expect(h.opener.sends()).to.deep.equal([]);
  });

  it('refuses at submission a tx too large for the carriers’ noise slots, even when a zone without carriers has noise off', async () => {
    const zones = { ...config(), zones: [...config().zones, { name: 'i2p', anonymity: true, noise: false, targetOutbound: 4 }] };
    const h = engineHarness(zones, { deps: { carriers: new Map<string, CarrierOpener>([['tor', new FakeOpener()]]) } });
    h.engine.start();
    const refused = await h.engine.submitLocal(blob('z', 70_000)).catch((e: Error) => e);
    expect(refused).to.have.property('code', 'TX_TOO_LARGE_FOR_NOISE');
    expect(h.store.pending()).to.deep.equal([]);
  });

  it('refuses a carrier opener for a public zone', () => {
    expect(() => engineHarness(config(), { deps: { carriers: new Map<string, CarrierOpener>([['public', new FakeOpener()]]) } }))
      .to.throw(CarrierError)
      .with.property('code', 'NOT_ANONYMITY_ZONE');
  });
});

describe('RelayEngine: a local tx refused on its carriers ends rejected', () => {
  /** Carriers to distinct peers (`peer1`, `peer2`, ...) unless `peerOf` says otherwise; noise off, so a send goes out at once. */
  async function refusing(peerOf: (n: number) => string = (n) => `peer${n + 1}`) {
    const store = new MemoryTxStore();
    const opener = new FakeOpener();
    opener.peerOf = peerOf;
    const h = pbHarness({ noise: false, opener, store });
    opener.now = () => h.clock.now();
    h.connect();
    await settle();
    const carriersOf = (txId: string) => h.opener.carriers.filter((c) => c.sent.some((t) => t.id === txId));
    /** Every carrier of the tx still open is closed by its peer `afterMs` after the send. */
    const refuse = async (txId: string, afterMs = 1000) => {
      h.clock.advance(afterMs);
      for (const c of carriersOf(txId).filter((c) => !c.closed)) c.drop();
      await settle();
    };
    return { ...h, store, carriersOf, refuse };
  }

  it('3 distinct peers closing right after receiving it: rejected in the journal and status, and no carrier ever takes it again', async () => {
    const h = await refusing();
    const { txId } = await h.engine.submitLocal(blob('bad'));
    expect(h.carriersOf(txId)).to.have.length(2);
    await h.refuse(txId); // 2 rejections, each replaced at once by a new carrier
    expect(h.carriersOf(txId)).to.have.length(4);
    expect(h.store.rejected()).to.deep.equal([]);
    await h.refuse(txId);
    expect(h.store.rejected().map((r) => [r.id, r.reason])).to.deep.equal([[txId, 'connection closed right after receiving it by 3 distinct peers']]);
    expect(h.store.pending()).to.deep.equal([]);
    expect(h.engine.privateBroadcastStatus()).to.deep.equal([]);
    expect(h.engine.status()).to.deep.include({ localWaiting: 0, localInFlight: 0 });
    const used = h.opener.sends().filter((s) => s.tx === txId).length;
    h.clock.advance(24 * 3600_000);
    await settle();
    expect(h.opener.sends().filter((s) => s.tx === txId), 'nothing re-sent after').to.have.length(used);
    expect(h.leaks(txId)).to.deep.equal([]);
  });

  it('closes we caused (retire, proxy failure, shutdown) and closes after the verdict window do not count', async () => {
    const h = await refusing();
    const { txId } = await h.engine.submitLocal(blob('late'));
    const [a, b] = h.carriersOf(txId);
    h.clock.advance(1000);
    a.retire();
    b.drop(false); // the proxy or our side ended it
    await settle();
    expect(h.carriersOf(txId), 'no replacement: nothing was refused').to.have.length(2);
    h.clock.advance(2 * 60_000); // the next round after the echo timeout
    await settle();
    await h.refuse(txId, 5001);
    h.engine.stop(); // retires every carrier
    await settle();
    expect(h.store.rejected()).to.deep.equal([]);
    expect(h.store.pending().map((t) => t.id)).to.deep.equal([txId]);
  });

  it('one peer drawn again and again counts once: it cannot censor the tx, and it gets at most the hourly cap of carriers', async () => {
    const h = await refusing(() => 'hostile');
    const { txId } = await h.engine.submitLocal(blob('censored'));
    for (let i = 0; i < 12; i++) {
      await h.refuse(txId);
      h.clock.advance(3 * 60_000); // the pool opens more on its schedule
      await settle();
    }
    expect(h.store.rejected()).to.deep.equal([]);
    expect(h.store.pending().map((t) => t.id)).to.deep.equal([txId]);
    // 12 refusals within 48 min: never more than the hourly cap of carriers
    expect(h.carriersOf(txId).length).to.be.within(3, 8);
    expect(h.engine.privateBroadcastStatus()[0]).to.deep.include({ txId, delivered: false });
  });

  it('a zone that knows one peer: given up after 3 of its carriers to it refused the tx', async () => {
    const h = await refusing(() => 'only');
    for (const c of h.opener.carriers) c.knownPeers = 1;
    const { txId } = await h.engine.submitLocal(blob('lonely'));
    await h.refuse(txId);
    await h.refuse(txId);
    expect(h.store.rejected().map((r) => r.id)).to.deep.equal([txId]);
    expect(h.store.rejected()[0].reason).to.match(/3 times by all 1 peer\(s\)/);
    expect(h.carriersOf(txId)).to.have.length(4); // 2, then 2 replacements; the third refusal ended it
  });

  it('a good tx in the same run is delivered by its echo and not rejected by closes after its echo', async () => {
    const h = await refusing();
    const bad = await h.engine.submitLocal(blob('bad2'));
    const goodBlob = blob('good');
    const good = await h.engine.submitLocal(goodBlob);
    h.engine.receive({ zone: 'public', connectionId: 'p-in1', txs: [{ id: good.txId, blob: goodBlob }], fluff: true });
    await settle();
    await h.refuse(good.txId, 0);
    for (let i = 0; i < 6 && h.store.rejected().length === 0; i++) {
      await h.refuse(bad.txId);
      h.clock.advance(3 * 60_000); // the pool had 4 carriers for both txs: more open on its schedule
      await settle();
    }
    expect(h.store.rejected().map((r) => r.id)).to.deep.equal([bad.txId]);
    expect(h.engine.privateBroadcastStatus().find((s) => s.txId === good.txId)).to.deep.include({ delivered: true });
    expect(h.store.pending()).to.deep.equal([]);
  });
});
