import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Veilnode } from '@veilnode/node';
import { createFromConfig, tempDir } from '@veilnode/node/testing';
import { REGTEST_TXS } from '@veilnode/protocol/testing';
import { until } from '../src/until';

const TX = REGTEST_TXS[0];

async function post<T>(rpc: string, path: string, body: unknown): Promise<T> {
  return (await (await fetch(`http://${rpc}${path}`, { method: 'POST', body: JSON.stringify(body) })).json()) as T;
}

/**
 * The product composition (what the CLI runs) in one process, twice, over the real clearnet
 * transport on loopback: node B's only peer is node A. No daemon needed.
 */
describe('createNode: peer layer, relay engine and RPC wired together', function () {
  this.timeout(15_000);
  const running: Veilnode[] = [];
  const dirs: { cleanup: () => void }[] = [];

  afterEach(async () => {
    for (const node of running.splice(0).reverse()) await node.stop();
    for (const dir of dirs.splice(0)) dir.cleanup();
  });

  async function start(zone: Record<string, unknown>): Promise<{ node: Veilnode; rpc: string; p2p: string; dataDir: string }> {
    const dir = tempDir('veilnode-compose-');
    dirs.push(dir);
    const dataDir = join(dir.dir, 'data');
    const { veilnode: node } = await createFromConfig(
      {
        plugins: ['@veilnode/clearnet'],
        network: 'regtest',
        dataDir,
        p2p: { bindIp: '127.0.0.1', bindPort: 0 },
        rpc: { bindIp: '127.0.0.1', bindPort: 0 },
        zones: { clearnet: { enabled: true, transport: 'clearnet', ...zone } },
      },
      { compose: { peers: { maintenanceIntervalMs: 100 } } },
    );
    running.push(node);
    const summary = await node.start();
    return { node, rpc: summary.rpc, p2p: summary.zones[0].listening[0], dataDir };
  }

  it('a tx posted to B’s RPC goes over p2p to A and is relayed by A’s engine; the RPC reads the peer layer', async () => {
    const a = await start({});
    const b = await start({ exclusivePeers: [a.p2p] });
    await until('B’s handshake with A', () => b.node.peers.layer.connections('clearnet').length === 1 && a.node.peers.layer.connections('clearnet').length === 1, 5_000, 20);

    const answer = await post<{ status: string; veilnode: { tx_hash: string; relay: string } }>(b.rpc, '/send_raw_transaction', { tx_as_hex: TX.hex });
    expect(answer.status).to.equal('OK');
    expect(answer.veilnode).to.deep.equal({ tx_hash: TX.id, relay: 'sent' });

    // A's engine got it from the wire; with no outbound peer to stem to, A fluffs it (as monerod
    // does), which makes it public at A — while B, its origin, still lists it as its own only
    const atA = await until('the tx in A’s relay engine', () => a.node.relay.transactions().find((t) => t.id === TX.id), 5_000, 20);
    expect(atA.state).to.equal('fluff');
    const poolA = await post<{ transactions?: { id_hash: string }[] }>(a.rpc, '/get_transaction_pool', {});
    expect((poolA.transactions ?? []).map((t) => t.id_hash)).to.deep.equal([TX.id]);
    const poolB = await post<{ transactions?: unknown[] }>(b.rpc, '/get_transaction_pool', {});
    expect(poolB.transactions ?? [], 'mempool hiding at the origin').to.have.length(0);
    expect(b.node.relay.transactions().map((t) => [t.id, t.state])).to.deep.equal([[TX.id, 'local']]);
    // B: sent, waiting for delivery confirmation; nothing waits for a connection
    const info = await post<{ result: { veilnode: { local_txs_waiting: number; local_txs_in_flight: number; wait_reason: string | null } } }>(b.rpc, '/json_rpc', {
      jsonrpc: '2.0',
      id: 1,
      method: 'get_info',
    });
    expect(info.result.veilnode).to.deep.include({ local_txs_waiting: 0, local_txs_in_flight: 1, wait_reason: null });

    const connections = await post<{ result: { connections: { incoming: boolean; zone: string; state: string }[] } }>(a.rpc, '/json_rpc', { jsonrpc: '2.0', id: 1, method: 'get_connections' });
    expect(connections.result.connections.map((c) => [c.zone, c.incoming, c.state])).to.deep.equal([['clearnet', true, 'normal']]);
  });

  it('a local tx with no reachable peer waits in the fsync’d journal and get_zones counts it', async () => {
    const b = await start({ exclusivePeers: ['127.0.0.1:9'] }); // discard port: refused
    const answer = await post<{ veilnode: { relay: string } }>(b.rpc, '/send_raw_transaction', { tx_as_hex: TX.hex });
    expect(answer.veilnode.relay).to.equal('queued');
    const zones = await post<{ result: { zones: { name: string; queued: number }[] } }>(b.rpc, '/json_rpc', { jsonrpc: '2.0', id: 1, method: 'get_zones' });
    expect(zones.result.zones.find((z) => z.name === 'clearnet')?.queued).to.equal(1);
    expect(readFileSync(join(b.dataDir, 'txqueue', 'local-txs.journal')).includes(Buffer.from(TX.hex, 'hex'))).to.equal(true);
  });

  it('stop saves the peer store with the outbound peer as anchor, then stops the node', async () => {
    const a = await start({});
    const b = await start({ exclusivePeers: [a.p2p] });
    await until('B’s handshake with A', () => b.node.peers.layer.connections('clearnet').length === 1, 5_000, 20);
    await b.node.stop();
    running.splice(running.indexOf(b.node), 1);
    const saved = JSON.parse(readFileSync(join(b.dataDir, 'peers', 'clearnet.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(saved)).to.contain(a.p2p.split(':')[1]);
    await until('A to see B go', () => a.node.peers.layer.connections('clearnet').length === 0, 5_000, 20);
  });
});
