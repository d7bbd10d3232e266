import { expect } from 'chai';
import sinon from 'sinon';
import { blob, engineHarness, TOR_CLEARNET, txIdOf, type Sent } from './engine-harness';
import { MemoryTxStore } from '../../src/relay/local-tx-store';
import { RelayError } from '../../src/relay/relay-errors';

type TxSend = Extract<Sent, { kind: 'txs' }>;
const HOUR = 3600_000;

function clearnet(h: ReturnType<typeof engineHarness>) {
  for (const id of ['p-in1', 'p-in2']) h.up('public', id, 'inbound');
  for (const id of ['p-out1', 'p-out2', 'p-out3']) h.up('public', id, 'outbound');
}

describe('RelayEngine: local transactions', () => {
  it('sends a local tx only to the anonymity zone, stemmed on 2 selected outbound connections', async () => {
    const h = engineHarness(TOR_CLEARNET);
    h.engine.start();
    clearnet(h);
    h.up('tor', 't-in1', 'inbound');
    for (const id of ['t-out1', 't-out2', 't-out3']) h.up('tor', id, 'outbound');
    const result = await h.engine.submitLocal(blob('a'));
    expect(result).to.deep.equal({ txId: txIdOf(blob('a')), status: 'sent' });
    h.clock.advance(HOUR / 2); // within the pool lifetime
    const sends = h.txSends(result.txId);
    expect(sends.map((s) => s.zone)).to.deep.equal(['tor', 'tor']);
    expect(sends.every((s) => s.fluff === false && s.conn.startsWith('t-out'))).to.equal(true);
    expect(new Set(sends.map((s) => s.conn)).size).to.equal(2);
    expect(h.engine.publicTransactions()).to.deep.equal([]);
    expect(h.engine.transactions().map((t) => t.state)).to.deep.equal(['local']);
  });

  it('holds a local tx durably while no anonymity peer is connected, never using clearnet', async () => {
    const h = engineHarness(TOR_CLEARNET);
    h.engine.start();
    clearnet(h);
    h.up('tor', 't-in1', 'inbound'); // inbound only: not usable for our own txs
    const { txId, status } = await h.engine.submitLocal(blob('b'));
    expect(status).to.equal('queued');
    expect(h.store.pending().map((t) => t.id)).to.deep.equal([txId]);
    expect(h.engine.status()).to.include({ localWaiting: 1, waitReason: 'no-anonymity-connection', localInFlight: 0 });
    expect([h.engine.queued('tor'), h.engine.queued('public')]).to.deep.equal([1, 0]);
    h.clock.advance(6 * HOUR);
    expect(h.txSends(txId)).to.deep.equal([]);
    h.up('tor', 't-out1', 'outbound');
    expect(h.txSends(txId).map((s) => `${s.zone}/${s.conn}/${s.fluff}`)).to.deep.equal(['tor/t-out1/false']);
    expect(h.engine.status()).to.include({ localWaiting: 0, waitReason: null, localInFlight: 1 });
    h.clock.advance(30_000);
    expect(h.store.pending()).to.deep.equal([]);
    expect(h.engine.status().localInFlight).to.equal(0);
  });

  it('sends again when every carrier drops within the confirmation window', async () => {
    const h = engineHarness(TOR_CLEARNET);
    h.engine.start();
    h.up('tor', 't-out1', 'outbound');
    const { txId } = await h.engine.submitLocal(blob('c'));
    h.clock.advance(10_000);
    h.down('tor', 't-out1');
    h.clock.advance(60_000);
    expect(h.store.pending().map((t) => t.id)).to.deep.equal([txId]);
    h.up('tor', 't-out2', 'outbound');
    expect(h.txSends(txId).map((s) => s.conn)).to.deep.equal(['t-out1', 't-out2']);
    h.clock.advance(30_000);
    expect(h.store.pending()).to.deep.equal([]);
  });

  it('counts a local tx delivered once it comes back over clearnet, and shows it only when fluffed', async () => {
    const h = engineHarness(TOR_CLEARNET);
    h.engine.start();
    clearnet(h);
    h.up('tor', 't-out1', 'outbound');
    const { txId } = await h.engine.submitLocal(blob('d'));
    h.engine.onTransactionsReceived('public', 'p-in1', [blob('d')], false);
    expect(h.store.pending()).to.deep.equal([]);
    expect(h.engine.publicTransactions()).to.deep.equal([]); // back as a stem: still hidden
    h.engine.onTransactionsReceived('public', 'p-in2', [blob('d')], true);
    expect(h.engine.publicTransactions().map((t) => t.id)).to.deep.equal([txId]);
  });

  it('replays the store on start and delivers what a previous run left', async () => {
    const store = new MemoryTxStore();
    await store.enqueue({ id: txIdOf(blob('e')), blob: blob('e') }, 0);
    const h = engineHarness(TOR_CLEARNET, { store });
    h.engine.start();
    expect(h.engine.status().localWaiting).to.equal(1);
    h.up('tor', 't-out1', 'outbound');
    expect(h.txSends(txIdOf(blob('e')))).to.have.length(1);
    expect(await h.engine.submitLocal(blob('e'))).to.deep.equal({ txId: txIdOf(blob('e')), status: 'known' });
  });

  it('answers a known tx at once only when it is public; our own or a stem tx goes through the journal first', async () => {
    const h = engineHarness(TOR_CLEARNET);
    h.engine.start();
    clearnet(h);
    h.up('tor', 't-out1', 'outbound');
    const enqueue = sinon.spy(h.store, 'enqueue');
    const writes = (): number => enqueue.callCount;
    // our own, on its way: written again (same cost as a new one), not sent twice
    const own = await h.engine.submitLocal(blob('k'));
    expect(await h.engine.submitLocal(blob('k'))).to.deep.equal({ txId: own.txId, status: 'known' });
    expect(writes()).to.equal(2);
    expect(h.txSends(own.txId)).to.have.length(1);
    // a stem tx we relay for a clearnet peer: written down and delivered as ours over Tor
    h.engine.onTransactionsReceived('public', 'p-in1', [blob('s')], false);
    const stem = await h.engine.submitLocal(blob('s'));
    expect(stem.status).to.equal('sent');
    expect(writes()).to.equal(3);
    h.clock.advance(5000); // paced behind our own on the one stem: one local tx per connection per verdict window
    expect(h.txSends(stem.txId).some((s) => s.zone === 'tor')).to.equal(true);
    // a fluffed tx is public anyway: answered without a write
    h.engine.onTransactionsReceived('public', 'p-in2', [blob('p')], true);
    expect(await h.engine.submitLocal(blob('p'))).to.deep.equal({ txId: txIdOf(blob('p')), status: 'known' });
    expect(writes()).to.equal(3);
  });

  it('stems local txs on clearnet when no anonymity zone is enabled, even in fluff epochs', async () => {
    const h = engineHarness({ zones: [{ name: 'public', anonymity: false, noise: false, targetOutbound: 12 }], dandelion: { fluffProbability: 1 } });
    h.engine.start();
    clearnet(h);
    const { txId } = await h.engine.submitLocal(blob('f'));
    const sends = h.txSends(txId);
    expect(sends).to.have.length(1);
    expect(sends[0]).to.include({ zone: 'public', fluff: false });
    expect(sends[0].conn).to.match(/^p-out/);
  });

  it('keeps the embargo of a clearnet-stemmed local tx across a re-send and fluffs it once', async () => {
    const h = engineHarness({ zones: [{ name: 'public', anonymity: false, noise: false, targetOutbound: 12 }], dandelion: { fluffProbability: 0 }, embargoMeanMs: 120_000 });
    h.engine.start();
    clearnet(h);
    const { txId } = await h.engine.submitLocal(blob('h'));
    const [first] = h.txSends(txId);
    h.down('public', first.conn); // carrier lost inside the confirmation window
    h.clock.advance(1);
    const stems = h.txSends(txId).filter((s) => !s.fluff);
    expect(stems).to.have.length(2);
    expect(stems[1].conn).to.not.equal(first.conn);
    h.clock.advance(HOUR / 2); // the embargo (mean 2 min) runs out within the pool lifetime
    const fluffs = h.txSends(txId).filter((s) => s.fluff);
    expect(fluffs.length).to.be.greaterThan(0); // the embargo still ran out and we fluffed
    expect(new Set(fluffs.map((s) => s.conn)).size).to.equal(fluffs.length); // once per peer
    expect(h.engine.publicTransactions().map((t) => t.id)).to.deep.equal([txId]);
  });

  it('rejects an empty blob and, with noise on every anonymity zone, a tx too large to pack', async () => {
    const h = engineHarness({ zones: [{ name: 'tor', anonymity: true, noise: true, targetOutbound: 4 }], rotation: false });
    h.engine.start();
    const empty = await h.engine.submitLocal(new Uint8Array(0)).catch((e: unknown) => e);
    expect(empty).to.be.instanceOf(RelayError).and.have.property('code', 'TX_EMPTY');
    const huge = await h.engine.submitLocal(blob('g', 21 * 3071)).catch((e: unknown) => e);
    expect(huge).to.be.instanceOf(RelayError).and.have.property('code', 'TX_TOO_LARGE_FOR_NOISE');
    expect(h.store.pending()).to.deep.equal([]);
  });
});

describe('RelayEngine: public zone Dandelion++', () => {
  it('stems a received stem tx to one outbound stem (not the sender), hidden, fluffed by us after the embargo', () => {
    const h = engineHarness({ ...TOR_CLEARNET, dandelion: { fluffProbability: 0 } });
    h.engine.start();
    clearnet(h);
    h.engine.onTransactionsReceived('public', 'p-out1', [blob('s')], false);
    const id = txIdOf(blob('s'));
    const [stem] = h.txSends(id);
    expect(stem).to.include({ zone: 'public', fluff: false });
    expect(stem.conn).to.be.oneOf(['p-out2', 'p-out3']);
    expect(h.engine.publicTransactions()).to.deep.equal([]);
    h.clock.advance(10 * 60_000);
    const fluffs = h.txSends(id).filter((s) => s.fluff);
    // Everyone but the peer that stemmed it to us.
    expect(fluffs.map((s) => s.conn).sort()).to.deep.equal(['p-in1', 'p-in2', 'p-out2', 'p-out3']);
    expect(h.engine.publicTransactions().map((t) => t.id)).to.deep.equal([id]);
    // ...and crossed into the anonymity zone (no connection there: nothing sent, nothing broken).
  });

  it('fluffs a stem tx that loops back while still in stem state', () => {
    const h = engineHarness({ ...TOR_CLEARNET, dandelion: { fluffProbability: 0 }, embargoMeanMs: 10 * HOUR });
    h.engine.start();
    clearnet(h);
    h.engine.onTransactionsReceived('public', 'p-in1', [blob('l')], false);
    h.engine.onTransactionsReceived('public', 'p-in2', [blob('l')], false);
    h.clock.advance(60_000);
    const sends = h.txSends(txIdOf(blob('l')));
    expect(sends.filter((s) => !s.fluff)).to.have.length(1);
    expect(sends.filter((s) => s.fluff).map((s) => s.conn).sort()).to.deep.equal(['p-out1', 'p-out2', 'p-out3']);
  });

  it('fluffs received fluff txs to every connection but the sender, after Poisson delays', () => {
    const h = engineHarness(TOR_CLEARNET);
    h.engine.start();
    clearnet(h);
    // The peer layer's TxSink shape: ids computed by it.
    h.engine.receive({ zone: 'public', connectionId: 'p-in1', txs: [blob('x'), blob('y')].map((b) => ({ id: txIdOf(b), blob: b })), fluff: true });
    expect(h.sent.filter((s) => s.kind === 'txs')).to.deep.equal([]); // not synchronous
    h.clock.advance(60_000);
    const batches = h.sent.filter((s): s is TxSend => s.kind === 'txs');
    expect(batches.map((b) => b.conn).sort()).to.deep.equal(['p-in2', 'p-out1', 'p-out2', 'p-out3']);
    for (const b of batches) expect(b.txs).to.have.members([txIdOf(blob('x')), txIdOf(blob('y'))]);
    expect(h.engine.publicTransactions()).to.have.length(2);
  });

  it('does not take a mined tx back in when a peer sends it late, and relays it no more', () => {
    const h = engineHarness(TOR_CLEARNET);
    h.engine.start();
    clearnet(h);
    const [minedTx, otherTx] = [blob('m'), blob('n')].map((b) => ({ id: txIdOf(b), blob: b }));
    h.engine.receive({ zone: 'public', connectionId: 'p-in1', txs: [minedTx], fluff: true });
    h.clock.advance(60_000);
    h.engine.mined(minedTx.id);
    expect(h.engine.publicTransactions()).to.deep.equal([]);
    const sendsBefore = h.txSends(minedTx.id).length;
    h.engine.receive({ zone: 'public', connectionId: 'p-in2', txs: [minedTx, otherTx], fluff: true });
    h.clock.advance(60_000);
    expect(h.engine.publicTransactions().map((t) => t.id)).to.deep.equal([otherTx.id]);
    expect(h.txSends(minedTx.id)).to.have.length(sendsBefore);
    // forgotten for another reason (expired, evicted): a later copy is a new tx again
    h.engine.forget(otherTx.id);
    h.engine.receive({ zone: 'public', connectionId: 'p-in1', txs: [otherTx], fluff: true });
    expect(h.engine.publicTransactions().map((t) => t.id)).to.deep.equal([otherTx.id]);
  });
});

describe('RelayEngine: zones first, then across', () => {
  const config = { ...TOR_CLEARNET, crossZoneDelay: { minMs: 10_000, maxMs: 30_000 } };

  it('forwards a tx from the anonymity zone within it at once and fluffs it to clearnet only after the delay', () => {
    const h = engineHarness(config, { seed: 3 });
    h.engine.start();
    clearnet(h);
    for (const id of ['t-out1', 't-out2']) h.up('tor', id, 'outbound');
    h.up('tor', 't-in1', 'inbound');
    h.engine.onTransactionsReceived('tor', 't-out1', [blob('t')], false);
    const id = txIdOf(blob('t'));
    expect(h.txSends(id).map((s) => `${s.zone}/${s.conn}/${s.fluff}`)).to.deep.equal(['tor/t-out2/false']);
    expect(h.engine.transactions()[0].state).to.equal('forward');
    h.clock.advance(9_999);
    expect(h.txSends(id).filter((s) => s.zone === 'public')).to.deep.equal([]);
    expect(h.engine.publicTransactions()).to.deep.equal([]);
    h.clock.advance(20_001 + 30_000);
    const publicSends = h.txSends(id).filter((s) => s.zone === 'public');
    expect(publicSends).to.have.length(5);
    expect(publicSends.every((s) => s.fluff && s.at >= 10_000)).to.equal(true);
    expect(h.engine.publicTransactions().map((t) => t.id)).to.deep.equal([id]);
  });

  it('relays a clearnet fluff tx into the anonymity zone only after the delay', () => {
    const h = engineHarness(config, { seed: 4 });
    h.engine.start();
    clearnet(h);
    for (const id of ['t-out1', 't-out2']) h.up('tor', id, 'outbound');
    h.engine.onTransactionsReceived('public', 'p-in1', [blob('u')], true);
    const id = txIdOf(blob('u'));
    h.clock.advance(9_999);
    expect(h.txSends(id).filter((s) => s.zone === 'tor')).to.deep.equal([]);
    h.clock.advance(20_001);
    const torSends = h.txSends(id).filter((s) => s.zone === 'tor');
    expect(torSends).to.have.length(2);
    expect(torSends[0].at).to.be.within(10_000, 30_000);
  });

  it('does not leak a clearnet stem tx into other zones while it is in its stem', () => {
    const h = engineHarness({ ...config, dandelion: { fluffProbability: 0 }, embargoMeanMs: 10 * HOUR });
    h.engine.start();
    clearnet(h);
    h.up('tor', 't-out1', 'outbound');
    h.engine.onTransactionsReceived('public', 'p-in1', [blob('v')], false);
    h.clock.advance(5 * 60_000);
    expect(h.txSends(txIdOf(blob('v'))).filter((s) => s.zone === 'tor')).to.deep.equal([]);
  });
});

describe('RelayEngine: rotation decisions', () => {
  it('asks the runtime to dial replacements and closes the old connection only once one is up', () => {
    const h = engineHarness({ zones: [{ name: 'tor', anonymity: true, noise: false, targetOutbound: 2 }], rotation: {} });
    h.engine.start();
    h.up('tor', 't-out1', 'outbound');
    h.up('tor', 't-out2', 'outbound');
    h.clock.advance(12 * 60_000);
    expect(h.sent.filter((s) => s.kind === 'dial').length).to.be.at.least(2);
    expect(h.sent.filter((s) => s.kind === 'close')).to.deep.equal([]);
    h.up('tor', 't-out3', 'outbound');
    h.up('tor', 't-out4', 'outbound');
    expect(h.sent.filter((s) => s.kind === 'close').map((s) => (s.kind === 'close' ? s.conn : ''))).to.have.members(['t-out1', 't-out2']);
  });
});

describe('RelayEngine: never back to a sender', () => {
  it('does not cross a tx into an anonymity zone towards a peer that sent it to us there', () => {
    const h = engineHarness({ ...TOR_CLEARNET, crossZoneDelay: { minMs: 20_000, maxMs: 30_000 } });
    h.engine.start();
    clearnet(h);
    h.up('tor', 't-out1', 'outbound');
    h.up('tor', 't-out2', 'outbound');
    h.engine.onTransactionsReceived('public', 'p-in1', [blob('k')], true);
    h.engine.onTransactionsReceived('tor', 't-out1', [blob('k')], false);
    h.clock.advance(60_000);
    const tor = h.txSends(txIdOf(blob('k'))).filter((s) => s.zone === 'tor');
    expect(tor.map((s) => s.conn)).to.deep.equal(['t-out2']);
  });

  it('does not fluff a tx to any public peer that already sent it to us', () => {
    const h = engineHarness(TOR_CLEARNET);
    h.engine.start();
    clearnet(h);
    h.engine.onTransactionsReceived('public', 'p-in1', [blob('j')], true);
    h.engine.onTransactionsReceived('public', 'p-out1', [blob('j')], true);
    h.clock.advance(60_000);
    expect(h.txSends(txIdOf(blob('j'))).map((s) => s.conn).sort()).to.deep.equal(['p-in2', 'p-out2', 'p-out3']);
  });
});

describe('RelayEngine: memory', () => {
  it('forgets relayed txs after the pool lifetime, keeps undelivered local ones until mined', async () => {
    const h = engineHarness({ ...TOR_CLEARNET, pool: { lifetimeMs: HOUR } });
    h.engine.start();
    clearnet(h);
    h.engine.onTransactionsReceived('public', 'p-in1', [blob('o')], true);
    const { txId } = await h.engine.submitLocal(blob('p'));
    h.clock.advance(HOUR + 1);
    expect(h.engine.transactions().map((t) => t.id)).to.deep.equal([txId]); // still waiting for Tor
    expect(h.store.pending().map((t) => t.id)).to.deep.equal([txId]);
    h.engine.forget(txId); // mined meanwhile: nothing left to deliver
    expect(h.engine.transactions()).to.deep.equal([]);
    expect(h.store.pending()).to.deep.equal([]);
    expect(h.engine.status().localWaiting).to.equal(0);
    // A forgotten tx arriving again is relayed again.
    h.engine.onTransactionsReceived('public', 'p-in1', [blob('o')], true);
    expect(h.engine.publicTransactions().map((t) => t.id)).to.deep.equal([txIdOf(blob('o'))]);
  });
});
