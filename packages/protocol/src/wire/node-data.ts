import { epeeObject, field, fixedBlob, optional, uint16, uint32, uint64 } from '../epee';

/** `basic_node_data` (docs/commands.md). */
export interface BasicNodeData {
  /** 16-byte network UUID (see networkId()). */
  network_id: Buffer;
  /** 1 on anonymity zones, random per run on the public zone. */
  peer_id: bigint;
  /** 0 = not reachable. */
  my_port: number;
  rpc_port: number;
  rpc_credits_per_hash: number;
  /** 1 = fluffy blocks (public zone); 0 (omitted) on anonymity zones. */
  support_flags: number;
}

export const basicNodeData = epeeObject<BasicNodeData>({
  network_id: field(fixedBlob(16)),
  peer_id: field(uint64),
  my_port: field(uint32),
  rpc_port: optional(uint16, 0),
  rpc_credits_per_hash: optional(uint32, 0),
  support_flags: optional(uint32, 0),
});
