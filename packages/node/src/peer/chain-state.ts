import type { NetworkName } from '@veilnode/plugin-api';
import { genesisHash, type CoreSyncData } from '@veilnode/protocol';

/**
 * The best chain we know of, as CORE_SYNC_DATA. veilnode keeps no chain: it starts by claiming
 * the genesis block (which every monerod has, so it treats us as synchronised) and afterwards
 * mirrors the best sync data a peer reported. It never claims more than a peer told it: a higher
 * claim makes monerod try to sync from us and ignore the txs we send.
 */
export class ChainState {
  private best: CoreSyncData;

  constructor(network: NetworkName) {
    this.best = {
      current_height: 1n,
      cumulative_difficulty: 1n,
      cumulative_difficulty_top64: 0n,
      top_id: genesisHash(network),
      top_version: 1,
      pruning_seed: 0,
    };
  }

  /** What we announce in handshakes and timed syncs (a copy). */
  current(): CoreSyncData {
    return { ...this.best, top_id: Buffer.from(this.best.top_id) };
  }

  /** Learns from a peer's sync data; adopts it when its cumulative difficulty is higher. Returns true when adopted. */
  observe(peer: CoreSyncData): boolean {
    if (difficulty(peer) <= difficulty(this.best)) return false;
    // pruning_seed describes the peer's storage, not the chain: we claim an unpruned (0) node
    this.best = { ...peer, top_id: Buffer.from(peer.top_id), pruning_seed: 0 };
    return true;
  }
}

function difficulty(s: CoreSyncData): bigint {
  return (s.cumulative_difficulty_top64 << 64n) | s.cumulative_difficulty;
}
