import { expect } from 'chai';
import { blob, engineHarness, TOR_CLEARNET, type Sent } from './engine-harness';
import type { RelayEngineConfig } from '../../src/relay/relay-engine-config';

type TxSend = Extract<Sent, { kind: 'txs' }>;
const EPOCH = 331_000; // stem selection / noise channels: re-drawn within 5 min + U(0, 30 s)

/** Submits a fresh local tx and returns the tor connections it was stemmed on. */
async function stemTargets(h: ReturnType<typeof engineHarness>, tag: string): Promise<string[]> {
  const { txId, status } = await h.engine.submitLocal(blob(tag));
  expect(status).to.equal('sent');
  return h.txSends(txId).map((s) => s.conn).sort();
}

describe('RelayEngine: peers behind the chain get no stems and no noise', () => {
  it('stems local txs only on outbound peers at most 2 blocks below the zone’s median height', async () => {
    const h = engineHarness(TOR_CLEARNET, { seed: 3 });
    h.engine.start();
    h.up('tor', 't-out1', 'outbound', 1000);
    h.up('tor', 't-out2', 'outbound', 1000);
    h.up('tor', 't-out3', 'outbound', 998);
    h.up('tor', 't-out4', 'outbound', 997); // 997 + 2 < 1000, the median of the five
    h.up('tor', 't-out5', 'outbound', 1001);
    const used = new Set<string>();
    for (let i = 0; i < 30; i++) {
      for (const conn of await stemTargets(h, `a${i}`)) used.add(conn);
      h.clock.advance(EPOCH);
    }
    expect([...used].sort()).to.deep.equal(['t-out1', 't-out2', 't-out3', 't-out5']);
  });

  it('keeps a stem that falls behind until the re-draw, then passes it over until it has caught up', async () => {
    const h = engineHarness(TOR_CLEARNET, { seed: 5 });
    h.engine.start();
    for (const id of ['t-out1', 't-out2', 't-out3', 't-out4']) h.up('tor', id, 'outbound', 2000);
    const [laggard] = await stemTargets(h, 'b0');
    h.engine.onConnectionHeight('tor', laggard, 1900);
    h.clock.advance(5_000); // one local tx per connection per verdict window
    expect(await stemTargets(h, 'b1'), 'same epoch: not cut off mid-epoch').to.include(laggard);
    for (let i = 0; i < 20; i++) {
      h.clock.advance(EPOCH);
      const targets = await stemTargets(h, `c${i}`);
      expect(targets).to.have.length(2);
      expect(targets).to.not.include(laggard);
    }
    h.engine.onConnectionHeight('tor', laggard, 1999); // caught up
    let chosen = false;
    for (let i = 0; i < 20 && !chosen; i++) {
      h.clock.advance(EPOCH);
      chosen = (await stemTargets(h, `d${i}`)).includes(laggard);
    }
    expect(chosen).to.equal(true);
  });

  it('cannot be stalled or captured by one peer claiming a far higher chain', async () => {
    const h = engineHarness(TOR_CLEARNET, { seed: 9 });
    h.engine.start();
    h.up('tor', 't-in1', 'inbound', 50_000_000); // inbound: does not count
    h.up('tor', 't-out1', 'outbound', 1000);
    h.up('tor', 't-out2', 'outbound', 1000);
    h.up('tor', 't-spy', 'outbound', 1000);
    h.engine.onConnectionHeight('tor', 't-spy', 50_000_000);
    const used = new Set<string>();
    for (let i = 0; i < 20; i++) {
      for (const conn of await stemTargets(h, `e${i}`)) used.add(conn);
      h.clock.advance(EPOCH);
    }
    expect([...used].sort()).to.deep.equal(['t-out1', 't-out2', 't-spy']);
    expect(h.engine.status()).to.include({ localWaiting: 0, waitReason: null });
  });

  it('keeps local txs waiting until an outbound connection exists, whatever heights inbound peers report', async () => {
    const h = engineHarness(TOR_CLEARNET);
    h.engine.start();
    h.up('tor', 't-in1', 'inbound', 1000);
    const { status } = await h.engine.submitLocal(blob('w'));
    expect(status).to.equal('queued');
    h.engine.onConnectionHeight('tor', 't-in1', 1001);
    expect(h.engine.status()).to.include({ localWaiting: 1, waitReason: 'no-anonymity-connection' });
    h.up('tor', 't-out1', 'outbound', 900); // alone: it is the median, so it qualifies
    expect(h.engine.status()).to.include({ localWaiting: 0, localInFlight: 1 });
  });

  it('binds no noise channel to a peer behind the chain', () => {
    const config: RelayEngineConfig = { ...TOR_CLEARNET, zones: TOR_CLEARNET.zones.map((z) => (z.anonymity ? { ...z, noise: true } : z)) };
    const h = engineHarness(config, { seed: 4 });
    h.engine.start();
    h.up('tor', 't-out1', 'outbound', 1000);
    h.up('tor', 't-out2', 'outbound', 1001);
    h.up('tor', 't-out3', 'outbound', 999);
    h.up('tor', 't-lag', 'outbound', 900);
    h.clock.advance(3 * 3600_000);
    const carriers = new Set(h.sent.filter((s) => s.kind === 'slot').map((s) => s.conn));
    expect([...carriers].sort()).to.deep.equal(['t-out1', 't-out2', 't-out3']);
  });

  it('never routes a public stem to a peer behind the chain (Dandelion++ stems)', () => {
    const h = engineHarness({ ...TOR_CLEARNET, dandelion: { fluffProbability: 0 } }, { seed: 6 });
    h.engine.start();
    h.up('public', 'p-in1', 'inbound', 1000);
    for (const id of ['p-out1', 'p-out2', 'p-out3']) h.up('public', id, 'outbound', 1000);
    h.up('public', 'p-lag', 'outbound', 950);
    const stems = new Set<string>();
    for (let i = 0; i < 30; i++) {
      h.engine.onTransactionsReceived('public', 'p-in1', [blob(`s${i}`)], false);
      h.clock.advance(631_000); // next Dandelion++ epoch
    }
    for (const s of h.sent) if (s.kind === 'txs' && !(s as TxSend).fluff) stems.add(s.conn);
    expect([...stems].sort()).to.deep.equal(['p-out1', 'p-out2', 'p-out3']);
  });
});
