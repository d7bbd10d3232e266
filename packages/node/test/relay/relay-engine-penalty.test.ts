import { expect } from 'chai';
import { engineHarness, txIdOf, type Sent } from './engine-harness';
import { WellFormedJunkTx } from '@veilnode/protocol/testing';
import { checkRelayable, transactionIdHex } from '@veilnode/protocol';

const PUBLIC_ONLY = { zones: [{ name: 'public', anonymity: false, noise: false, targetOutbound: 8 }], dandelion: { fluffProbability: 1 } };
const real = { txId: transactionIdHex, checkTx: checkRelayable };
const HOUR = 3600_000;

function harness(extra: object = {}) {
  const h = engineHarness({ ...PUBLIC_ONLY, ...extra }, { deps: real });
  h.engine.start();
  for (const id of ['out1', 'out2']) h.up('public', id, 'outbound');
  const junk = new WellFormedJunkTx();
  /** A new tx from connection `conn` (brought up inbound if new) of address group `group`. */
  const from = (conn: string, group: string, blob = junk.next()) => {
    if (!h.live.has(`public/${conn}`)) h.up('public', conn, 'inbound');
    h.engine.receive({ zone: 'public', connectionId: conn, sourceGroup: group, txs: [{ id: transactionIdHex(blob), blob }], fluff: true });
    return blob;
  };
  /** Advances until `blob` went out on `conn` (fluff delays are random); false if it never does. */
  const sentTo = (blob: Uint8Array, conn: string) => {
    for (let i = 0; i < 240; i++) {
      if (h.txSends(txIdOf(blob)).some((s) => s.conn === conn)) return true;
      h.clock.advance(250);
    }
    return false;
  };
  const relayed = (blob: Uint8Array) => {
    h.clock.advance(60_000);
    return h.txSends(txIdOf(blob)).length > 0;
  };
  const closes = () => h.sent.filter((s): s is Extract<Sent, { kind: 'close' }> => s.kind === 'close').map((s) => `${s.conn}:${s.reason}`);
  const dropUs = (conn: string) => h.down('public', conn, { byPeer: true, peer: `key-${conn}` });
  return { ...h, from, sentTo, relayed, closes, dropUs, junk };
}

describe('RelayEngine: penalties for sources whose txs get us dropped', () => {
  it('penalises an address group after two drops its txs caused, across reconnects, for an hour', () => {
    const h = harness();
    const first = h.from('in1', 'g1');
    expect(h.sentTo(first, 'out1')).to.equal(true);
    h.clock.advance(1000);
    h.dropUs('out1'); // strike 1: could be chance, nothing happens yet
    expect(h.closes()).to.deep.equal([]);

    h.up('public', 'out3', 'outbound');
    h.down('public', 'in1'); // the attacker reconnects from a neighbouring address
    const second = h.from('in1b', 'g1');
    expect(h.sentTo(second, 'out3')).to.equal(true);
    h.clock.advance(4000);
    h.dropUs('out3'); // strike 2
    expect(h.closes()).to.deep.equal(['in1b:penalised-source']);

    h.down('public', 'in1b');
    const third = h.from('in1c', 'g1');
    expect(h.relayed(third)).to.equal(false);
    expect(h.closes()).to.deep.equal(['in1b:penalised-source', 'in1c:penalised-source']);
    const honest = h.from('in2', 'g2');
    expect(h.relayed(honest)).to.equal(true);

    h.clock.advance(HOUR);
    const later = h.from('in1d', 'g1');
    expect(h.relayed(later)).to.equal(true);
  });

  it('blames nobody for a close we caused, an inbound close, or a close after the verdict window', () => {
    const h = harness({ sourcePenalty: { strikes: 1 } });
    for (const [conn, close] of [
      ['out1', { byPeer: false, peer: 'key-out1' }],
      ['out2', { byPeer: true }],
    ] as const) {
      const tx = h.from(`in-${conn}`, 'g1');
      expect(h.sentTo(tx, conn)).to.equal(true);
      h.down('public', conn, close);
    }
    h.up('public', 'out3', 'outbound');
    const late = h.from('in3', 'g1');
    expect(h.sentTo(late, 'out3')).to.equal(true);
    h.clock.advance(5001);
    h.dropUs('out3');
    expect(h.closes()).to.deep.equal([]);

    h.up('public', 'out4', 'outbound');
    const blamed = h.from('in4', 'g1');
    expect(h.sentTo(blamed, 'out4')).to.equal(true);
    h.clock.advance(5000);
    h.dropUs('out4');
    expect(h.closes()).to.deep.equal(['in-out1:penalised-source', 'in-out2:penalised-source', 'in3:penalised-source', 'in4:penalised-source']);
  });

  it('blames only the sole source of a tx, not the groups of honest txs several peers sent along with it', () => {
    const h = harness({ sourcePenalty: { strikes: 1 } });
    const honest = h.from('in2', 'g2');
    h.from('in3', 'g3', honest);
    const suspect = h.from('in1', 'g1');
    expect(h.sentTo(honest, 'out1') && h.sentTo(suspect, 'out1')).to.equal(true);
    h.dropUs('out1');
    expect(h.closes()).to.deep.equal(['in1:penalised-source']);
  });

  it('charges the tx quota to the address group, so reconnecting earns no fresh allowance', () => {
    const h = harness({ peerTxQuota: { txsPerSecond: 1, burstSeconds: 5, initialSeconds: 5 } });
    const sent = [h.from('in1', 'g1'), h.from('in1', 'g1'), h.from('in1', 'g1')];
    h.down('public', 'in1');
    sent.push(h.from('in2', 'g1'), h.from('in2', 'g1'), h.from('in2', 'g1'));
    const other = h.from('in3', 'g2');
    expect(sent.map((b) => h.relayed(b))).to.deep.equal([true, true, true, true, true, false]);
    expect(h.relayed(other)).to.equal(true);
    expect(h.closes()).to.deep.equal(['in2:tx-quota']);
  });
});
