import { expect } from 'chai';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { MemoryTxStore } from '../../src/relay/local-tx-store';
import type { RelayEngineConfig } from '../../src/relay/relay-engine-config';
import { blob, engineHarness, TOR_CLEARNET, txIdOf } from './engine-harness';

const GIVEN_UP = 'local tx given up as rejected: it will not be sent again';
const PUBLIC_ONLY: RelayEngineConfig = { zones: [{ name: 'public', anonymity: false, noise: false, targetOutbound: 12 }], dandelion: { fluffProbability: 0 } };

/** The engine with a recording logger; the wall clock runs with the virtual one from `wallStart`. */
function harness(config: RelayEngineConfig = TOR_CLEARNET, store = new MemoryTxStore(), wallStart = 1_700_000_000_000) {
  const logger = new RecordingLogger();
  const h: ReturnType<typeof engineHarness> = engineHarness(config, { store, deps: { logger, wallClock: () => wallStart + h.clock.now() } });
  h.engine.start();
  const givenUp = () => logger.entries.filter((e) => e.msg === GIVEN_UP);
  return { ...h, logger, givenUp };
}

describe('relay/RelayEngine: a local tx the network rejects', () => {
  it('is given up after closes right after it by 3 distinct outbound peers: rejected with its reason, logged once, never sent again', async () => {
    const h = harness();
    const tx = blob('x');
    const id = txIdOf(tx);
    let n = 0;
    /** A fresh outbound tor connection to `peer` that hangs up 50 ms after our tx reached it. */
    const rejectingPeer = (peer: string) => {
      const conn = `c${++n}`;
      h.up('tor', conn, 'outbound');
      return () => h.down('tor', conn, { byPeer: true, peer });
    };
    const closeA = rejectingPeer('A');
    const closeB = rejectingPeer('B');
    await h.engine.submitLocal(tx);
    expect(h.txSends(id)).to.have.length(2);
    h.clock.advance(50);
    closeA();
    closeB();
    expect(h.store.pending().map((t) => t.id)).to.deep.equal([id]); // 2 of 3
    // peer A again (a reconnection) does not count twice
    const closeA2 = rejectingPeer('A');
    expect(h.txSends(id)).to.have.length(3);
    h.clock.advance(50);
    closeA2();
    expect(h.store.pending()).to.have.length(1);
    // peer C completes the verdict
    const closeC = rejectingPeer('C');
    expect(h.txSends(id)).to.have.length(4);
    h.clock.advance(50);
    closeC();
    await Promise.resolve();
    expect(h.store.pending()).to.deep.equal([]);
    expect(h.store.rejected()).to.deep.equal([{ id, reason: 'connection closed right after receiving it by 3 distinct peers', at: 1_700_000_000_150 }]);
    expect(h.engine.rejected()).to.deep.equal(h.store.rejected());
    expect(h.givenUp()).to.have.length(1);
    expect(h.engine.transactions().map((t) => t.id)).not.to.include(id);
    expect(h.engine.status()).to.deep.include({ localWaiting: 0, localInFlight: 0 });
    rejectingPeer('D');
    h.clock.advance(60_000);
    expect(h.txSends(id)).to.have.length(4);
    expect(h.givenUp()).to.have.length(1);
  });

  /** Three outbound peers in turn each get the tx and close `delayMs` later as `close` says. */
  async function threeCloses(close: (peer: string) => { byPeer: boolean; peer?: string }, delayMs = 10, between = (_h: ReturnType<typeof harness>, _conn: string): void => undefined) {
    const h = harness();
    const tx = blob('y');
    await h.engine.submitLocal(tx);
    for (const peer of ['A', 'B', 'C']) {
      h.up('tor', `c${peer}`, 'outbound');
      between(h, `c${peer}`);
      h.clock.advance(delayMs);
      h.down('tor', `c${peer}`, close(peer));
    }
    expect(h.txSends(txIdOf(tx)), 'the tx went to every peer').to.have.length(3);
    await Promise.resolve();
    return h;
  }

  it('does not count closes that are ours, by inbound peers, late, or after a relayed tx followed ours', async () => {
    const cases = {
      ours: await threeCloses((peer) => ({ byPeer: false, peer })),
      inbound: await threeCloses(() => ({ byPeer: true })),
      late: await threeCloses((peer) => ({ byPeer: true, peer }), 5001),
      ambiguous: await threeCloses((peer) => ({ byPeer: true, peer }), 10, (h, conn) => {
        // somebody's tx, relayed on the same stem right after ours: either could be the one refused
        h.engine.receive({ zone: 'tor', connectionId: 'in', txs: [{ id: `other-${conn}`, blob: blob(conn) }], fluff: false });
      }),
    };
    for (const [what, h] of Object.entries(cases)) expect(h.store.rejected(), what).to.deep.equal([]);
    // and the control: the same three closes by the peers themselves, in time, do count
    expect((await threeCloses((peer) => ({ byPeer: true, peer }))).store.rejected()).to.have.length(1);
  });

  it('paces local txs to one per connection per verdict window, so a close names one tx', async () => {
    const h = harness();
    h.up('tor', 'c1', 'outbound');
    h.up('tor', 'c2', 'outbound');
    const [a, b] = [blob('a'), blob('b')];
    await h.engine.submitLocal(a);
    await h.engine.submitLocal(b);
    expect(h.txSends(txIdOf(a)).map((s) => s.at)).to.deep.equal([0, 0]);
    expect(h.txSends(txIdOf(b))).to.have.length(0);
    expect(h.engine.status()).to.deep.include({ localWaiting: 0, localInFlight: 2 }); // paced is not "waiting for a connection"
    h.clock.advance(5000);
    expect(h.txSends(txIdOf(b)).map((s) => s.at)).to.deep.equal([5000, 5000]);
    // the peers hang up right after b: b is the one blamed, a is not
    h.clock.advance(10);
    h.down('tor', 'c1', { byPeer: true, peer: 'A' });
    h.down('tor', 'c2', { byPeer: true, peer: 'B' });
    h.up('tor', 'c3', 'outbound'); // both wait again: a goes first, b one window later
    expect(h.txSends(txIdOf(a)).map((s) => s.conn)).to.deep.equal(['c1', 'c2', 'c3']);
    h.clock.advance(5000);
    expect(h.txSends(txIdOf(b)).map((s) => s.conn)).to.deep.equal(['c1', 'c2', 'c3']);
    h.clock.advance(10);
    h.down('tor', 'c3', { byPeer: true, peer: 'C' });
    await Promise.resolve();
    expect(h.store.rejected().map((r) => r.id)).to.deep.equal([txIdOf(b)]);
    expect(h.store.pending().map((t) => t.id)).to.deep.equal([txIdOf(a)]);
  });

  it('paces local txs on the public zone too (no anonymity zone enabled)', async () => {
    const h = harness(PUBLIC_ONLY);
    h.up('public', 'c1', 'outbound');
    const [a, b] = [blob('a'), blob('b')];
    await h.engine.submitLocal(a);
    await h.engine.submitLocal(b);
    h.clock.advance(4999);
    expect([...h.txSends(txIdOf(a)), ...h.txSends(txIdOf(b))].map((s) => [s.at, s.fluff])).to.deep.equal([[0, false]]);
    h.clock.advance(1);
    expect(h.txSends(txIdOf(b)).map((s) => [s.at, s.fluff])).to.deep.equal([[5000, false]]);
  });

  it('is given up when still undelivered after the maximum age, counted from when it was first queued (across restarts)', async () => {
    const store = new MemoryTxStore();
    const wallStart = 1_700_000_000_000;
    const tx = blob('z');
    await store.enqueue({ id: txIdOf(tx), blob: tx }, wallStart - 71 * 3600_000); // queued 71 h before this start
    const h = harness(TOR_CLEARNET, store, wallStart);
    h.clock.advance(3600_000 - 1);
    expect(store.pending()).to.have.length(1);
    h.clock.advance(1);
    await Promise.resolve();
    expect(store.pending()).to.deep.equal([]);
    expect(store.rejected()).to.deep.equal([{ id: txIdOf(tx), reason: 'not delivered within 72 h', at: wallStart + 3600_000 }]);
    expect(h.givenUp()).to.have.length(1);
  });

  it('takes its maximum age from the config', async () => {
    const h = harness({ ...TOR_CLEARNET, rejection: { maxAgeMs: 60_000 } });
    await h.engine.submitLocal(blob('w'));
    h.clock.advance(60_000);
    await Promise.resolve();
    expect(h.store.rejected().map((r) => r.reason)).to.deep.equal(['not delivered within 60 s']);
  });
});

describe('relay/RelayEngine.flush (flush_txpool)', () => {
  it('drops the given queued local txs durably and never sends them; without ids drops all', async () => {
    const h = harness();
    const [a, b, c] = [blob('a'), blob('b'), blob('c')];
    for (const tx of [a, b, c]) await h.engine.submitLocal(tx);
    expect(h.engine.status().localWaiting).to.equal(3);
    expect(await h.engine.flush([txIdOf(b), 'not-ours'])).to.deep.equal([txIdOf(b)]);
    expect(h.store.pending().map((t) => t.id)).to.deep.equal([txIdOf(a), txIdOf(c)]);
    expect(h.engine.status().localWaiting).to.equal(2);
    h.up('tor', 'c1', 'outbound');
    h.clock.advance(1000); // a sent, c paced behind it
    expect(h.txSends(txIdOf(a))).to.have.length(1);
    expect(await h.engine.flush()).to.deep.equal([txIdOf(a), txIdOf(c)]);
    expect(h.engine.status()).to.deep.include({ localWaiting: 0, localInFlight: 0 });
    h.down('tor', 'c1');
    h.up('tor', 'c2', 'outbound');
    h.clock.advance(20_000);
    expect(h.txSends(txIdOf(c))).to.have.length(0);
    expect(h.txSends(txIdOf(b))).to.have.length(0);
    expect(h.engine.transactions()).to.deep.equal([]);
  });
});
