import { expect } from 'chai';
import { blob, engineHarness, txIdOf, type Sent } from './engine-harness';
import { LevinCovertSlotBuilder } from '../../src/noise/levin-covert-slot-builder';
import { LevinStreamDecoder, NewTransactions } from '@veilnode/protocol';
import type { RelayEngineConfig } from '../../src/relay/relay-engine-config';

type SlotSend = Extract<Sent, { kind: 'slot' }>;

const NOISE_ZONES: RelayEngineConfig = {
  zones: [
    { name: 'public', anonymity: false, noise: false, targetOutbound: 12 },
    { name: 'tor', anonymity: true, noise: true, targetOutbound: 4 },
  ],
  rotation: false,
};

describe('RelayEngine: noise on an anonymity zone', () => {
  function noiseHarness(startMs = 0, seed = 7) {
    const h = engineHarness(NOISE_ZONES, { seed, startMs, deps: { slotBuilder: new LevinCovertSlotBuilder() } });
    h.engine.start();
    for (const id of ['p-in1', 'p-out1', 'p-out2']) h.up('public', id, id.startsWith('p-in') ? 'inbound' : 'outbound');
    for (const id of ['t-out1', 't-out2', 't-out3']) h.up('tor', id, 'outbound');
    h.up('tor', 't-in1', 'inbound');
    return h;
  }

  it('shows only 3072-byte frames on the 10–15 s cadence before, during and after sending a tx', async () => {
    const h = noiseHarness();
    h.clock.advance(60_000);
    const tx = blob('n', 4143); // needs 2 fragments
    const { txId, status } = await h.engine.submitLocal(tx);
    expect(status).to.equal('sent');
    h.clock.advance(120_000);
    const tor = h.sent.filter((s) => s.zone === 'tor');
    expect(tor.every((s) => s.kind === 'slot')).to.equal(true);
    const slots = tor as SlotSend[];
    const perConnection = new Map<string, SlotSend[]>();
    for (const s of slots) perConnection.set(s.conn, [...(perConnection.get(s.conn) ?? []), s]);
    expect([...perConnection.keys()].every((c) => c.startsWith('t-out'))).to.equal(true);
    expect(perConnection.size).to.equal(2);
    for (const frames of perConnection.values()) {
      expect(frames.every((f) => f.frame.length === 3072)).to.equal(true);
      const gaps = frames.slice(1).map((f, i) => f.at - frames[i].at);
      for (const gap of gaps) expect(gap).to.be.within(10_000, 15_000);
      // The real message is in there: reassemble everything this connection received.
      const decoder = new LevinStreamDecoder();
      const messages = frames.flatMap((f) => decoder.push(Buffer.from(f.frame)));
      expect(messages).to.have.length(1);
      const body = NewTransactions.body.decode(messages[0].body);
      expect(body.dandelionpp_fluff).to.equal(false);
      expect(txIdOf(body.txs[0])).to.equal(txId);
    }
    expect(h.sent.filter((s) => s.zone === 'public')).to.deep.equal([]);
    expect(h.txSends(txId)).to.deep.equal([]); // never as a plain 2002
  });

  it('counts the tx delivered after a full copy went out and its carrier stayed up', async () => {
    const h = noiseHarness();
    const { txId } = await h.engine.submitLocal(blob('m', 500));
    expect(h.engine.status().localInFlight).to.equal(1);
    h.clock.advance(15_000 + 30_000);
    expect(h.engine.status().localInFlight).to.equal(0);
    expect(h.store.pending().map((t) => t.id)).to.not.include(txId);
  });

  it('re-sends from the first slot when every channel lost its connection mid-message', async () => {
    const h = noiseHarness(0, 9);
    const { txId } = await h.engine.submitLocal(blob('r', 4143));
    h.clock.advance(15_001); // each channel sent its first fragment
    for (const id of ['t-out1', 't-out2', 't-out3']) h.down('tor', id);
    expect(h.engine.status().localWaiting).to.equal(1);
    h.up('tor', 't-out4', 'outbound');
    h.clock.advance(45_000);
    const frames = h.sent.filter((s): s is SlotSend => s.kind === 'slot' && s.conn === 't-out4');
    const decoder = new LevinStreamDecoder();
    const messages = frames.flatMap((f) => decoder.push(Buffer.from(f.frame)));
    expect(messages).to.have.length(1);
    expect(txIdOf(NewTransactions.body.decode(messages[0].body).txs[0])).to.equal(txId);
    expect(frames[0].frame[25]).to.equal(0x04); // flags byte: first frame on the new connection is a BEGIN
  });

  it('emits nothing derived from the clock: the same run at another wall time sends identical bytes', async () => {
    const run = async (startMs: number) => {
      const h = noiseHarness(startMs, 11);
      h.clock.advance(30_000);
      await h.engine.submitLocal(blob('w', 4000));
      h.engine.onTransactionsReceived('public', 'p-in1', [blob('q', 300)], true);
      h.engine.onTransactionsReceived('tor', 't-in1', [blob('z', 700)], false);
      h.clock.advance(300_000);
      return h.sent.map((s) => ({ ...s, at: s.at - startMs }));
    };
    const early = await run(0);
    const late = await run(1_763_000_000_000);
    expect(early.length).to.be.greaterThan(50);
    expect(late).to.deep.equal(early);
  });
});
