import { epeeObject, field, fixedBlob, optional, uint32, uint64, uint8 } from '../epee';

/** `CORE_SYNC_DATA`, key `payload_data` (docs/commands.md). */
export interface CoreSyncData {
  /** Chain height = top block height + 1. */
  current_height: bigint;
  cumulative_difficulty: bigint;
  /** Always written (like monerod); absent reads as 0. */
  cumulative_difficulty_top64: bigint;
  /** 32-byte hash of the top block. */
  top_id: Buffer;
  top_version: number;
  pruning_seed: number;
}

export const coreSyncData = epeeObject<CoreSyncData>({
  current_height: field(uint64),
  cumulative_difficulty: field(uint64),
  cumulative_difficulty_top64: field(uint64),
  top_id: field(fixedBlob(32)),
  top_version: optional(uint8, 0),
  pruning_seed: optional(uint32, 0),
});
