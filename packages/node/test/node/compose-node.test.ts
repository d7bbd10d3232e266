import { expect } from 'chai';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Command } from '@veilnode/plugin-api';
import sinon from 'sinon';
import { CONNECTION_HANDLER, NODE, NODE_SERVICE, RELAY_SERVICE } from '../../src/di/tokens';
import { composeNode } from '../../src/node/compose-node';
import type { NodeService } from '../../src/node/node';
import type { Veilnode } from '../../src/node/veilnode';
import { encodeResponseMessage, genesisHash, Handshake, networkId, NewTransactions } from '@veilnode/protocol';
import { FakeLevinPeer } from '../helpers/fake-levin-peer';
import { pluginFixture, tempDir } from '../../src/testing/fixtures';
import { prepareFromConfig } from '../../src/testing/prepare';
import { REGTEST_TXS } from '@veilnode/protocol/testing';

const TCP = pluginFixture('tcp-zone.cjs');
const TX = REGTEST_TXS.find((t) =>
  t.source.includes('sweep_single'),
)!;

/** A loopback Levin peer that accepts every connection and answers its handshake like a monerod at height 1000. */
async function fakeMonerod(): Promise<{ server: Server; port: number; peers: FakeLevinPeer[] }> {
  const peers: FakeLevinPeer[] = [];
  const server = createServer((socket) => {
    const fake = new FakeLevinPeer(socket);
    peers.push(fake);
    void fake.next((m) => m.command === Command.Handshake && !m.isResponse, 5000).then(
      () =>
        fake.send(
          encodeResponseMessage(Handshake, {
            node_data: { network_id: networkId('regtest'), peer_id: 0x5eedn, my_port: 0, rpc_port: 0, rpc_credits_per_hash: 0, support_flags: 1 },
            payload_data: { current_height: 1000n, cumulative_difficulty: 1000n, cumulative_difficulty_top64: 0n, top_id: Buffer.alloc(32, 0xab), top_version: 16, pruning_seed: 0 },
            local_peerlist_new: [],
          }),
        ),
      () => undefined,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port, peers };
}

describe('composeNode: RPC → relay engine → peer layer → a Levin peer (loopback, no daemon)', () => {
  let data: { dir: string; cleanup: () => void };
  let node: Veilnode | undefined;
  let monerod: Awaited<ReturnType<typeof fakeMonerod>>;

  beforeEach(async () => {
    data = tempDir();
    monerod = await fakeMonerod();
  });
  afterEach(async () => {
    sinon.restore();
    await node?.stop();
    for (const peer of monerod.peers) peer.stream.destroy();
    monerod.server.close();
    data.cleanup();
  });

  /** A regtest node on the fixture TCP zone, every port picked by the OS. */
  const prepare = (config: Record<string, unknown>) => prepareFromConfig({ plugins: [TCP], dataDir: data.dir, network: 'regtest', p2p: { bindPort: 0 }, rpc: { bindPort: 0 }, ...config });

  it('a tx posted to /send_raw_transaction leaves as NOTIFY_NEW_TRANSACTIONS on the peer connection; get_info reports the peer’s chain', async () => {
    const prepared = await prepare({ zones: { clearnet: { transport: 'fixture-tcp', exclusivePeers: [`127.0.0.1:${monerod.port}`] } } });
    node = composeNode(prepared, { peers: { allowLoopback: true, maintenanceIntervalMs: 100 } });
    const { rpc } = await node.start();
    const composed = node;
    for (let i = 0; i < 200 && composed.peers.layer.connections('clearnet').length === 0; i++) await new Promise((r) => setTimeout(r, 10));

    const reply = (await (await fetch(`http://${rpc}/send_raw_transaction`, { method: 'POST', body: JSON.stringify({ tx_as_hex: TX.hex }) })).json()) as Record<string, unknown>;
    expect(reply).to.include({ status: 'OK' });
    expect(reply.veilnode).to.deep.include({ tx_hash: TX.id });
    // Dandelion++: a local tx stems to one outbound peer, or (fluff epoch) is fluffed after a Poisson delay
    const carried = await Promise.any(monerod.peers.map((p) => p.next((m) => m.command === Command.NewTransactions, 15_000)));
    expect(NewTransactions.body.decode(carried.body).txs.map((t) => t.toString('hex'))).to.deep.equal([TX.hex]);

    const info = ((await (await fetch(`http://${rpc}/get_info`)).json()) as Record<string, unknown>);
    expect(info).to.include({ height: 1000, top_block_hash: 'ab'.repeat(32) });
    expect(info.outgoing_connections_count as number).to.be.greaterThan(0);
    expect(genesisHash('regtest').toString('hex')).not.to.equal(info.top_block_hash);
  });

  it('registers every service once in the root container, in start order, and starts and stops each once (stop in reverse)', async () => {
    const prepared = await prepare({ metrics: { bind: '127.0.0.1:0' }, zones: { clearnet: { transport: 'fixture-tcp' } } });
    node = composeNode(prepared);
    const { container } = node;
    expect(container.resolve(CONNECTION_HANDLER), 'the peer layer takes every connection').to.equal(node.peers.layer);
    expect(container.resolve(RELAY_SERVICE)).to.equal(node.relay);
    expect(container.resolve(NODE)).to.equal(node.node);
    const services = container.resolveAll<NodeService>(NODE_SERVICE);
    expect(services.map((s) => s.name)).to.deep.equal(['relay', 'peers', 'activity-log', 'metrics']);
    const calls: string[] = [];
    for (const service of services) {
      const { start, stop } = service;
      sinon.replace(service, 'start', async () => void (calls.push(`start ${service.name}`), await start.call(service)));
      sinon.replace(service, 'stop', async () => void (calls.push(`stop ${service.name}`), await stop.call(service)));
    }
    await node.start();
    await node.stop();
    await node.stop();
    expect(calls).to.deep.equal([
      'start relay',
      'start peers',
      'start activity-log',
      'start metrics',
      // the peer layer stops while the zones' connections are open, the rest after the zones
      'stop peers',
      'stop metrics',
      'stop activity-log',
      'stop relay',
    ]);
  });
});
