import { expect } from 'chai';
import { engineHarness, txIdOf, type Sent } from './engine-harness';
import { WellFormedJunkTx } from '@veilnode/protocol/testing';
import { checkRelayable, transactionIdHex } from '@veilnode/protocol';

const PUBLIC_ONLY = { zones: [{ name: 'public', anonymity: false, noise: false, targetOutbound: 8 }], dandelion: { fluffProbability: 1 } };
const real = { txId: transactionIdHex, checkTx: checkRelayable };

function harness(extra: object = {}) {
  const h = engineHarness({ ...PUBLIC_ONLY, ...extra }, { deps: real });
  h.engine.start();
  for (const id of ['in1', 'in2', 'in3']) h.up('public', id, 'inbound');
  for (const id of ['out1', 'out2']) h.up('public', id, 'outbound');
  return h;
}

const closes = (sent: Sent[]) => sent.filter((s): s is Extract<Sent, { kind: 'close' }> => s.kind === 'close').map((s) => s.conn);
const relayed = (h: ReturnType<typeof harness>, blob: Uint8Array) => h.txSends(txIdOf(blob)).length > 0;

describe('RelayEngine: admission of received txs', () => {
  it('relays a well-formed tx; closes a connection that sends junk and relays nothing more it sent', () => {
    const h = harness();
    const junk = new WellFormedJunkTx();
    const good = junk.next();
    h.engine.onTransactionsReceived('public', 'in1', [good], true);
    h.clock.advance(60_000);
    expect(relayed(h, good)).to.equal(true);

    const fiveBytes = Uint8Array.of(1, 0, 0, 0, 0);
    const after = junk.next();
    h.engine.onTransactionsReceived('public', 'in2', [fiveBytes, after], true);
    h.engine.onTransactionsReceived('public', 'in2', [junk.next()], true); // arrives before the close took effect
    h.clock.advance(60_000);
    expect(closes(h.sent)).to.deep.equal(['in2']);
    expect(relayed(h, fiveBytes)).to.equal(false);
    expect(relayed(h, after)).to.equal(false);
    expect(h.engine.publicTransactions().map((t) => t.id)).to.deep.equal([transactionIdHex(good)]);
  });

  it('closes a connection over its tx quota and relays nothing beyond it', () => {
    const h = harness({ peerTxQuota: { txsPerSecond: 1, burstSeconds: 5, initialSeconds: 5 } });
    const junk = new WellFormedJunkTx();
    const blobs = Array.from({ length: 8 }, () => junk.next());
    for (const blob of blobs) h.engine.onTransactionsReceived('public', 'in1', [blob], true);
    h.clock.advance(60_000);
    expect(closes(h.sent)).to.deep.equal(['in1']);
    expect(blobs.map((b) => relayed(h, b))).to.deep.equal([true, true, true, true, true, false, false, false]);
  });

  it('relays the first of two txs spending one key image, never the second', () => {
    const h = harness();
    const junk = new WellFormedJunkTx();
    const first = junk.next();
    // same prefix bytes up to the key image, different signatures: another tx spending it
    const second = Buffer.from(first);
    second[second.length - 1] ^= 1;
    expect(transactionIdHex(second)).to.not.equal(transactionIdHex(first));
    h.engine.onTransactionsReceived('public', 'in1', [first], true);
    h.engine.onTransactionsReceived('public', 'in2', [second], true);
    h.clock.advance(60_000);
    expect(relayed(h, first)).to.equal(true);
    expect(relayed(h, second)).to.equal(false);
    expect(closes(h.sent)).to.deep.equal([]); // an honest peer may pass on a double spend it saw first
  });

  it('keeps the pool within its bounds under a flood and keeps an honest tx seen from two peers', () => {
    const h = harness({ pool: { maxTxs: 50 }, peerTxQuota: { txsPerSecond: 10_000, bytesPerSecond: 10_000_000 } });
    const junk = new WellFormedJunkTx();
    const honest = junk.next();
    h.engine.onTransactionsReceived('public', 'in1', [honest], true);
    h.engine.onTransactionsReceived('public', 'out1', [honest], true);
    for (let i = 0; i < 500; i++) h.engine.onTransactionsReceived('public', 'in3', [junk.next()], true);
    const held = h.engine.transactions();
    expect(held).to.have.length(50);
    expect(held.map((t) => t.id)).to.include(transactionIdHex(honest));
    expect(closes(h.sent)).to.deep.equal([]);
  });
});
