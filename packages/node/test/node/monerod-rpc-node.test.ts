import { expect } from 'chai';
import path from 'node:path';
import { ConfigError, type RpcRequestInfo } from '@veilnode/plugin-api';
import { RPC_SERVER } from '../../src/di/tokens';
import { composeNode } from '../../src/node/compose-node';
import type { Node } from '../../src/node/node';
import { TX_QUEUE_DIR } from '../../src/node/relay-service';
import { DurableTxQueue } from '../../src/relay/durable-tx-queue';
import type { RpcListeners } from '../../src/rpc/rpc-listeners';
import { pluginFixture, tempDir } from '../../src/testing/fixtures';
import { prepareFromConfig } from '../../src/testing/prepare';
import { REGTEST_TXS } from '@veilnode/protocol/testing';

const TCP = pluginFixture('tcp-zone.cjs');
/** Registers the anonymity zone `shared` (no transport needed: its p2p side stays disabled). */
const ANONYMITY_ZONE = pluginFixture('shared-zone-a.cjs');
const TXS = REGTEST_TXS;
const [SPEND, SECOND] = TXS.filter((t) => t.source.includes('sweep_single'));

async function post(address: string, urlPath: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`http://${address}${urlPath}`, { method: 'POST', body: JSON.stringify(body) });
  return (await response.json()) as Record<string, unknown>;
}
const rpc = (address: string, method: string) => post(address, '/json_rpc', { jsonrpc: '2.0', id: 1, method });

describe('Node: monerod RPC composed with the relay engine and a hidden-service listener', () => {
  let data: { dir: string; cleanup: () => void };
  const nodes: Node[] = [];

  beforeEach(() => {
    data = tempDir();
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop();
    data.cleanup();
  });

  async function startNode(extra: Record<string, unknown> = {}): Promise<{ node: Node; main: string; hidden: string | undefined }> {
    const prepared = await prepareFromConfig({
      plugins: [TCP, ANONYMITY_ZONE],
      dataDir: data.dir,
      network: 'regtest',
      p2p: { bindPort: 0 },
      rpc: { bindPort: 0, zones: { shared: { address: 'hiddenservice.example:18089', bind: '127.0.0.1:0' } } },
      zones: { clearnet: { transport: 'fixture-tcp' } },
      ...extra,
    });
    prepared.rpcMethods.add('whoami', (_params, info: RpcRequestInfo) => info, { restricted: true });
    const { node, container } = composeNode(prepared);
    nodes.push(node);
    const summary = await node.start();
    const listeners = container.resolve<RpcListeners>(RPC_SERVER);
    return { node, main: summary.rpc, hidden: listeners.servers[1]?.address };
  }

  it('a tx posted to /send_raw_transaction is in <dataDir>/txqueue when OK comes back, and survives a restart', async () => {
    const first = await startNode();
    const reply = await post(first.main, '/send_raw_transaction', { tx_as_hex: SPEND.hex });
    expect(reply).to.include({ status: 'OK', not_relayed: false });
    expect(reply.veilnode).to.deep.equal({ tx_hash: SPEND.id, relay: 'queued' });
    // no peer layer: nothing can carry it, so it waits (clearnet carries local txs: no anonymity zone is enabled)
    const zones = (await rpc(first.main, 'get_zones')).result as { zones: { name: string; queued: number }[] };
    expect(zones.zones.find((z) => z.name === 'clearnet')?.queued).to.equal(1);
    const info = (await rpc(first.main, 'get_info')).result as Record<string, unknown>;
    expect(info).to.include({ nettype: 'fakechain', restricted: false, tx_pool_size: 0 });
    expect(info.veilnode).to.deep.include({ local_txs_waiting: 1, wait_reason: 'no-connection' });
    await first.node.stop();
    const journal = await DurableTxQueue.open({ dir: path.join(data.dir, TX_QUEUE_DIR) });
    expect(journal.pending().map((t) => t.id)).to.deep.equal([SPEND.id]);
    await journal.close();

    const second = await startNode();
    const again = (await rpc(second.main, 'get_info')).result as { veilnode: { local_txs_waiting: number } };
    expect(again.veilnode.local_txs_waiting).to.equal(1);
  });

  it('the hidden-service listener serves wallets restricted, tagged with its zone, and hides the operator’s views', async () => {
    const { main, hidden } = await startNode();
    expect(hidden).to.match(/^127\.0\.0\.1:\d+$/);
    expect((await rpc(main, 'whoami')).result).to.deep.equal({ zone: 'clearnet', restricted: false });
    expect((await rpc(hidden as string, 'whoami')).result).to.deep.equal({ zone: 'shared', restricted: true });
    for (const method of ['get_zones', 'get_connections', 'get_peer_list', 'relay_tx', 'get_relay_pool']) {
      expect((await rpc(hidden as string, method)).error, method).to.deep.include({ code: -32601 });
    }
    const info = (await rpc(hidden as string, 'get_info')).result as Record<string, unknown>;
    expect(info).to.include({ restricted: true, version: '' });
    expect(info).not.to.have.property('veilnode');
    const sent = await post(hidden as string, '/send_raw_transaction', { tx_as_hex: SECOND.hex });
    expect(sent).to.include({ status: 'OK' });
    expect(sent).not.to.have.property('veilnode');
    // the operator sees it waiting; the wallet's listener never did
    expect(((await rpc(main, 'get_info')).result as { veilnode: { local_txs_waiting: number } }).veilnode.local_txs_waiting).to.equal(1);
  });

  it('refuses a hidden-service RPC on a zone that is not registered, or not an anonymity zone', async () => {
    for (const [zone, message] of [
      ['clearnet', /clearnet is not an anonymity zone/],
      ['tor', /no zone tor is registered/],
    ] as const) {
      const prepared = await prepareFromConfig({ plugins: [TCP, ANONYMITY_ZONE], dataDir: data.dir, rpc: { bindPort: 0, zones: { [zone]: { address: 'x:1', bind: '127.0.0.1:0' } } } });
      expect(() => composeNode(prepared), zone).to.throw(ConfigError, message);
    }
  });
});
