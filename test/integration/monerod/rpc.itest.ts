import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { composeClearnetNode, type Veilnode } from '../../src/clearnet-node';
import { MonerodHarness, type MonerodTx } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { until } from '../../src/until';

const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800);
/** Offsets clear of monerod-p2p.itest.ts (BASE .. BASE+41). */
const MONEROD_BASE = BASE + 60;
const OUR_P2P = BASE + 70;

async function post(address: string, path: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`http://${address}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return (await response.json()) as Record<string, unknown>;
}

describe('RPC → relay engine → p2p → a real regtest monerod (clearnet only)', function () {
  this.timeout(240_000);

  const monerod = new MonerodHarness({ basePort: MONEROD_BASE, exclusive: [`127.0.0.1:${OUR_P2P}`] });
  const logger = new RecordingLogger();
  const timings: Record<string, number> = {};
  let dataDir: string;
  let node: Veilnode | undefined;
  let rpc: string;
  let txs: MonerodTx[];

  before(async function () {
    skipWithoutMonerod(this);
    const t0 = Date.now();
    dataDir = await mkdtemp(join(tmpdir(), 'veilnode-rpc-itest-'));
    const { veilnode } = await composeClearnetNode({
      dir: dataDir,
      p2pPort: OUR_P2P,
      exclusivePeer: `127.0.0.1:${monerod.p2pPort}`,
      logger,
      compose: { peers: { maintenanceIntervalMs: 500, allowLoopback: true } },
    });
    node = veilnode;
    rpc = (await veilnode.start()).rpc;
    await monerod.start();
    await until('a ready outbound connection to monerod', () => veilnode.peers.layer.connections('clearnet').some((c) => c.state === 'ready' && c.direction === 'outbound'), 30_000);
    timings.connectedMs = Date.now() - t0;
    // our connection makes monerod synchronised, so it mines and its wallet can sign
    txs = await monerod.makeTxs(1);
    timings.setupMs = Date.now() - t0;
  });

  after(async () => {
    await node?.stop();
    await monerod.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    console.log(`    timings: ${JSON.stringify(timings)}`);
  });

  it('a tx posted to our /send_raw_transaction reaches monerod’s pool over p2p', async () => {
    const [tx] = txs;
    expect((await monerod.getTransactionPool()).map((p) => p.id_hash)).not.to.include(tx.id);
    const t0 = Date.now();
    const reply = await post(rpc, '/send_raw_transaction', { tx_as_hex: tx.blob.toString('hex') });
    timings.answerMs = Date.now() - t0;
    expect(reply).to.include({ status: 'OK', not_relayed: false, sanity_check_failed: false });
    expect((reply.veilnode as { tx_hash: string }).tx_hash).to.equal(tx.id);
    await until('the tx in monerod’s pool', async () => (await monerod.getTransactionPool()).some((p) => p.id_hash === tx.id), 60_000);
    timings.inMonerodPoolMs = Date.now() - t0;
  });

  it('get_info, get_connections and get_peer_list describe the real connection to monerod', async () => {
    const info = ((await post(rpc, '/json_rpc', { jsonrpc: '2.0', id: 1, method: 'get_info' })).result ?? {}) as Record<string, unknown>;
    expect(info).to.include({ status: 'OK', nettype: 'fakechain', restricted: false });
    expect(info.outgoing_connections_count as number).to.be.greaterThan(0);
    const connections = ((await post(rpc, '/json_rpc', { jsonrpc: '2.0', id: 2, method: 'get_connections' })).result as { connections: Record<string, unknown>[] }).connections;
    const toMonerod = connections.find((c) => c.address === `127.0.0.1:${monerod.p2pPort}`);
    expect(toMonerod).to.include({ incoming: false, state: 'normal', host: '127.0.0.1', port: String(monerod.p2pPort), address_type: 1, localhost: true, zone: 'clearnet' });
    expect(toMonerod?.peer_id).to.match(/^[0-9a-f]{16}$/);
    // the handshake put monerod in the clearnet book's white list
    const book = await post(rpc, '/get_peer_list', {});
    expect((book.white_list as { host: string; port: number }[]).some((p) => p.host === '127.0.0.1' && p.port === monerod.p2pPort)).to.equal(true);
    // monerod's own view names our connection too
    expect((await monerod.getConnections()).length).to.be.greaterThan(0);
  });
});
