import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DurableTxQueue, type RelayEngineConfig } from '@veilnode/node/relay';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import { EngineNetwork, type Delivery } from '../src/engine-network';

const blob = (tag: string, size = 200) => new Uint8Array(Buffer.alloc(size, tag));

/** An EngineNetwork (100 ms links) that records every delivery with node names. */
function recordingNetwork() {
  const deliveries: Array<Omit<Delivery, 'from' | 'to'> & { from: string; to: string }> = [];
  const net = new EngineNetwork(new VirtualClock(), { onDelivery: (d) => deliveries.push({ ...d, from: d.from.name, to: d.to.name }) });
  return Object.assign(net, { deliveries });
}

const TOR_NODE: RelayEngineConfig = {
  zones: [
    { name: 'public', anonymity: false, noise: false, targetOutbound: 8 },
    { name: 'tor', anonymity: true, noise: true, targetOutbound: 2 },
  ],
  rotation: false,
};
const CLEARNET_NODE: RelayEngineConfig = { zones: [{ name: 'public', anonymity: false, noise: false, targetOutbound: 8 }] };

/** A (origin, Tor), B (Tor hidden service + clearnet), observers C and D on clearnet only. */
function network(seed: number) {
  const net = recordingNetwork();
  const a = net.node('A', TOR_NODE, seed);
  const b = net.node('B', TOR_NODE, seed + 1);
  const c = net.node('C', CLEARNET_NODE, seed + 2);
  const d = net.node('D', CLEARNET_NODE, seed + 3);
  for (const n of [a, b, c, d]) n.boot();
  net.connect('public', a, c);
  net.connect('public', a, d);
  net.connect('public', b, c);
  net.connect('public', b, d);
  net.connect('public', c, d);
  return { net, a, b, c, d };
}

describe('relay engines in a virtual network', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`a local tx reaches clearnet observers only via the anonymity zone (seed ${seed})`, async () => {
      const { net, a, b } = network(seed * 100);
      net.connect('tor', a, b);
      net.clock.advance(40_000);
      const { txId, status } = await a.engine.submitLocal(blob('secret', 2500));
      expect(status).to.equal('sent');
      net.clock.advance(10 * 60_000);
      const carrying = net.deliveries.filter((d) => d.txs.includes(txId));
      const firstPublic = carrying.find((d) => d.zone === 'public');
      expect(firstPublic, 'the tx reached clearnet').to.not.equal(undefined);
      expect(firstPublic?.from).to.equal('B');
      // A sends it on clearnet only after a clearnet peer showed it to A.
      const aHeard = carrying.find((d) => d.zone === 'public' && d.to === 'A');
      for (const d of carrying.filter((x) => x.zone === 'public' && x.from === 'A')) expect(aHeard !== undefined && d.at > aHeard.at).to.equal(true);
      // Everything A put on the Tor link, before, during and after, is a 3072-byte frame.
      const torFromA = net.deliveries.filter((d) => d.zone === 'tor' && d.from === 'A');
      expect(torFromA.length).to.be.greaterThan(40);
      expect(torFromA.every((d) => d.bytes === 3072)).to.equal(true);
      // Observers can list it once fluffed; A's own pool view shows it only after it came back.
      expect(b.engine.publicTransactions().map((t) => t.id)).to.include(txId);
      expect(a.engine.status().localWaiting).to.equal(0);
    });
  }

  it('delivers a tx acknowledged before a crash once the restarted node gets a Tor peer', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veilnode-vnet-'));
    try {
      const { net, a, b } = network(77);
      const store = await DurableTxQueue.open({ dir });
      a.boot(store);
      const { txId, status } = await a.engine.submitLocal(blob('held', 700));
      expect(status).to.equal('queued');
      net.clock.advance(5 * 60_000);
      // Crash: the engine dies without any shutdown step; the journal is all that survives.
      a.engine.stop();
      await store.close();
      const reopened = await DurableTxQueue.open({ dir });
      a.boot(reopened);
      expect(a.engine.status()).to.include({ localWaiting: 1, waitReason: 'no-anonymity-connection' });
      expect(net.deliveries.some((d) => d.txs.includes(txId))).to.equal(false);
      net.connect('tor', a, b);
      net.clock.advance(5 * 60_000);
      const publicCarrying = net.deliveries.filter((d) => d.zone === 'public' && d.txs.includes(txId));
      expect(publicCarrying.length).to.be.greaterThan(0);
      expect(publicCarrying[0].from).to.equal('B');
      await reopened.close(); // queued after the engine's markDelivered write
      const after = await DurableTxQueue.open({ dir });
      expect(after.pending()).to.deep.equal([]);
      await after.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('EngineNetwork byte accounting', () => {
  it('counts a tx message at its Levin-encoded size', async () => {
    const { encodeNotifyMessage, NewTransactions } = await import('@veilnode/protocol');
    const net = recordingNetwork();
    const config: RelayEngineConfig = { zones: [{ name: 'public', anonymity: false, noise: false, targetOutbound: 8 }] };
    const a = net.node('A', config, 1);
    const b = net.node('B', config, 2);
    a.boot();
    b.boot();
    net.connect('public', a, b);
    const txs = [blob('x', 50), blob('y', 300), blob('z', 20_000)];
    a.engine.receive({ zone: 'public', connectionId: 'wallet', txs: txs.map((t) => ({ id: net.txIds.of(t), blob: t })), fluff: true });
    net.clock.advance(60_000);
    const expected = encodeNotifyMessage(NewTransactions, { txs: [...txs].sort((p, q) => (net.txIds.of(p) < net.txIds.of(q) ? -1 : 1)).map((t) => Buffer.from(t)), _: Buffer.alloc(0), dandelionpp_fluff: true }).length;
    expect(net.deliveries.map((d) => d.bytes)).to.deep.equal([expected]);
    expect(net.bytesSent).to.equal(expected);
  });
});
