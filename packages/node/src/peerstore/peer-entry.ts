import type { PeerAddress, WireAddress } from '@veilnode/plugin-api';

/** One peer a zone's store knows, in that zone's own address form. */
export interface PeerEntry {
  readonly address: PeerAddress;
  /** The peer_id it announced (u64), 0n when unknown. */
  readonly peerId: bigint;
  /** When we last heard of or from it (ms since the epoch; monerod zeroes this on the wire). */
  readonly lastSeen: number;
  readonly pruningSeed: number;
  readonly rpcPort: number;
}

/** A peer-list entry as received in a handshake or timed sync, before the zone's codec saw it. */
export interface ReceivedPeerEntry {
  /** The decoded address, or the error the wire decoder gave for an unusable one. */
  readonly adr: WireAddress | Error;
  readonly id: bigint;
  readonly lastSeen?: bigint | number;
  readonly pruningSeed?: number;
  readonly rpcPort?: number;
}

/** monerod's P2P_LOCAL_WHITE_PEERLIST_LIMIT / P2P_LOCAL_GRAY_PEERLIST_LIMIT. */
export const WHITE_LIST_LIMIT = 1000;
export const GRAY_LIST_LIMIT = 5000;
/** How many anchors (outbound peers at shutdown) to keep. */
export const ANCHOR_LIST_LIMIT = 64;
