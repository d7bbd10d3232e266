import type { RpcRequestInfo, NetworkName } from '@veilnode/plugin-api';
import type { HeldTxPool } from './held-tx-pool';
import { accessResponseBase } from './monerod-response';
import type { MonerodRpcSources } from './sources';

/** DIFFICULTY_TARGET_V2: seconds per block. */
const DIFFICULTY_TARGET_SECONDS = 120;
/** Free space: veilnode stores no chain; monerod answers u64 max ("not telling") on a restricted RPC. */
const FREE_SPACE_UNKNOWN = 2n ** 64n - 1n;

/**
 * get_info fields taken from the upstream daemon when there is one: the chain it keeps (veilnode
 * keeps none). Everything else — connection and peer-list counts, version, start time, restricted,
 * nettype, veilnode's extras — is veilnode's own (the node package's src/rpc/README.md lists each field).
 */
export const UPSTREAM_CHAIN_FIELDS = [
  'height',
  'target_height',
  'difficulty',
  'wide_difficulty',
  'difficulty_top64',
  'target',
  'tx_count',
  'tx_pool_size',
  'alt_blocks_count',
  'top_block_hash',
  'cumulative_difficulty',
  'wide_cumulative_difficulty',
  'cumulative_difficulty_top64',
  'block_size_limit',
  'block_weight_limit',
  'block_size_median',
  'block_weight_median',
  'database_size',
  'busy_syncing',
  'synchronized',
  'update_available',
] as const;

/** monerod's nettype text; its regtest is a fakechain. */
export const NETTYPE: Record<NetworkName, string> = { mainnet: 'mainnet', testnet: 'testnet', stagenet: 'stagenet', regtest: 'fakechain' };

/**
 * `get_info` (JSON-RPC, plain `/get_info` and `/getinfo`, GET or POST) with monerod's fields.
 *
 * Restricted listeners (--restricted-rpc, every zone listener) follow monerod's restricted
 * answer — no connection or peer-list counts, no version, no start time — and go further: the
 * chain top is the one learnt on the listener's own zone only (a peer on another zone could
 * have planted a unique top id there to recognise us), no clock reading is given, and the
 * veilnode extras are left out (a count of waiting local txs would reveal that txs start here).
 * Unrestricted clients get the best chain top over all zones, the public zone's counts (monerod's
 * "public" counts), and `veilnode`: local txs waiting and why, in flight, pool states, held txs, zone health.
 */
export class InfoView {
  constructor(
    private readonly sources: MonerodRpcSources,
    private readonly held: HeldTxPool,
  ) {}

  /**
   * With an upstream daemon, its chain fields (UPSTREAM_CHAIN_FIELDS) replace the ones learnt
   * from peers; connection counts, version, clock and extras stay veilnode's. When the upstream
   * does not answer, the peers' chain top is all there is (as without an upstream).
   */
  async getInfo(info: RpcRequestInfo): Promise<object> {
    const own = this.ownInfo(info);
    const upstream = this.sources.upstreamChain;
    if (upstream === undefined) return own;
    let chain: Record<string, unknown>;
    try {
      chain = await upstream.chainInfo();
    } catch {
      return own;
    }
    const fields = Object.fromEntries(UPSTREAM_CHAIN_FIELDS.filter((f) => chain[f] !== undefined).map((f) => [f, chain[f]]));
    return { ...own, ...fields, bootstrap_daemon_address: info.restricted ? '' : upstream.label, was_bootstrap_ever_used: true };
  }

  private ownInfo(info: RpcRequestInfo): object {
    const { chain, txs, network, publicZone } = this.sources;
    const restricted = info.restricted;
    const top = chain.chainTop(restricted ? info.zone : undefined);
    const height = top?.height ?? 0;
    const targetHeight = top?.targetHeight ?? 0;
    const counts = restricted ? { in: 0, out: 0, white: 0, gray: 0 } : this.publicCounts(publicZone);
    const now = this.sources.now ?? Date.now;
    const base = {
      ...accessResponseBase(),
      height,
      target_height: targetHeight,
      difficulty: 0,
      wide_difficulty: '0x0',
      difficulty_top64: 0,
      target: DIFFICULTY_TARGET_SECONDS,
      tx_count: 0,
      tx_pool_size: txs.publicTransactions().length,
      alt_blocks_count: 0,
      outgoing_connections_count: counts.out,
      incoming_connections_count: counts.in,
      rpc_connections_count: 0,
      white_peerlist_size: counts.white,
      grey_peerlist_size: counts.gray,
      mainnet: network === 'mainnet',
      testnet: network === 'testnet',
      stagenet: network === 'stagenet',
      nettype: NETTYPE[network],
      top_block_hash: top?.topBlockHash ?? '',
      cumulative_difficulty: 0,
      wide_cumulative_difficulty: '0x0',
      cumulative_difficulty_top64: 0,
      block_size_limit: 0,
      block_weight_limit: 0,
      block_size_median: 0,
      block_weight_median: 0,
      adjusted_time: restricted ? 0 : Math.floor(now() / 1000),
      start_time: restricted ? 0 : Math.floor(this.sources.startTime / 1000),
      free_space: FREE_SPACE_UNKNOWN,
      offline: false,
      bootstrap_daemon_address: '',
      height_without_bootstrap: restricted ? 0 : height,
      was_bootstrap_ever_used: false,
      database_size: 0,
      update_available: false,
      busy_syncing: false,
      version: restricted ? '' : this.sources.version,
      synchronized: top !== undefined && (targetHeight === 0 || targetHeight <= height),
      restricted,
    };
    if (restricted) return base;
    const status = txs.status();
    return {
      ...base,
      veilnode: {
        local_txs_waiting: status.localWaiting,
        wait_reason: status.waitReason,
        local_txs_in_flight: status.localInFlight,
        pool: status.pool,
        held_txs: this.held.entries().length,
        // which zone cannot carry txs right now and why (a lost Tor proxy): the operator's view
        ...(this.sources.zoneHealth ? { zones: this.sources.zoneHealth.zoneHealth() } : {}),
      },
    };
  }

  private publicCounts(zone: string): { in: number; out: number; white: number; gray: number } {
    const connections = this.sources.connections.connections().filter((c) => c.zone === zone);
    const peers = this.sources.peers.peerList().filter((p) => p.zone === zone);
    return {
      in: connections.filter((c) => c.direction === 'inbound').length,
      out: connections.filter((c) => c.direction === 'outbound').length,
      white: peers.filter((p) => p.list === 'white').length,
      gray: peers.filter((p) => p.list === 'gray').length,
    };
  }
}
