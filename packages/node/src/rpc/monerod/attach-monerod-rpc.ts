import type { Logger } from '@veilnode/plugin-api';
import type { RpcMethodRegistry } from '../rpc-method-registry';
import type { RpcServer } from '../rpc-server';
import { ConnectionsView } from './connections-view';
import { FlushTxpool } from './flush-txpool';
import { HeldTxPool } from './held-tx-pool';
import { InfoView } from './info-view';
import { PeerListView } from './peer-list-view';
import { plainEndpoint } from './plain-endpoint';
import { RelayTx } from './relay-tx';
import { SendRawTransaction } from './send-raw-transaction';
import type { MonerodRpcSources } from './sources';
import { TransactionPoolViews } from './transaction-pool';

/**
 * JSON-RPC methods core adds: reserved before plugins register so none can take them.
 * `get_relay_pool` is veilnode's own (the operator's private pool view).
 */
export const MONEROD_JSON_RPC_METHODS = ['get_info', 'get_connections', 'get_peer_list', 'relay_tx', 'flush_txpool', 'get_relay_pool'] as const;

const READ = ['GET', 'POST'];

/**
 * Adds monerod's wallet-facing endpoints to every RPC listener (the clearnet one and each
 * zone's hidden-service one) and its JSON-RPC methods to the shared registry. What a listener
 * may answer is decided per request from its RpcRequestInfo (zone, restricted); what is refused
 * on restricted listeners follows monerod's restricted list (get_connections, get_peer_list,
 * relay_tx, flush_txpool).
 */
export function attachMonerodRpc(servers: readonly RpcServer[], methods: RpcMethodRegistry, sources: MonerodRpcSources, logger: Logger): void {
  const held = new HeldTxPool();
  const send = new SendRawTransaction(sources.txs, held, logger.child({ component: 'send_raw_transaction' }));
  const pool = new TransactionPoolViews(sources.txs, held);
  const info = new InfoView(sources, held);
  const connections = new ConnectionsView(sources.connections, sources.now ?? Date.now);
  const peers = new PeerListView(sources.peers, sources.publicZone);
  const relayTx = new RelayTx(sources.txs, held);
  const flushTxpool = new FlushTxpool(sources.txs, held);

  for (const server of servers) {
    const sendEndpoint = plainEndpoint((params, request) => send.handle(params, request));
    server.addEndpoint('/send_raw_transaction', sendEndpoint, { restricted: true });
    server.addEndpoint('/sendrawtransaction', sendEndpoint, { restricted: true });
    server.addEndpoint('/get_transaction_pool', () => Promise.resolve({ status: 200, chunks: pool.transactionPool() }), { methods: READ, restricted: true });
    server.addEndpoint('/get_transaction_pool_hashes', () => Promise.resolve({ status: 200, chunks: pool.transactionPoolHashes() }), { methods: READ, restricted: true });
    const infoEndpoint = plainEndpoint((_, request) => info.getInfo(request));
    server.addEndpoint('/get_info', infoEndpoint, { methods: READ, restricted: true });
    server.addEndpoint('/getinfo', infoEndpoint, { methods: READ, restricted: true });
    server.addEndpoint('/get_peer_list', plainEndpoint((params) => peers.getPeerList(params)), { methods: READ, restricted: false });
  }

  methods.add('get_info', (_, request) => info.getInfo(request), { restricted: true });
  methods.add('get_connections', () => connections.getConnections(), { restricted: false });
  methods.add('get_peer_list', (params) => peers.getPeerList(asObject(params)), { restricted: false });
  methods.add('relay_tx', (params) => relayTx.relay(params), { restricted: false });
  methods.add('flush_txpool', (params) => flushTxpool.flush(params), { restricted: false });
  methods.add('get_relay_pool', () => pool.relayPool(), { restricted: false });
}

/** JSON-RPC params may be an array (positional); monerod's methods take named ones only. */
function asObject(params: unknown): Record<string, unknown> {
  return typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
}
