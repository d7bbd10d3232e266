import type { NetworkName } from '@veilnode/plugin-api';
import type { RelayStatus, SubmitResult } from '../../relay/relay-engine';
import type { RejectedTx } from '../../relay/local-tx-store';
import type { PoolEntry } from '../../relay/relay-pool';
import type { PrivateBroadcastStatus } from '../../relay/echo-tracker';

/**
 * What the monerod-compatible endpoints read and call. Each is a narrow view the node wires to
 * the real service (the relay engine, the peer layer, the peer stores); tests pass fakes.
 */

/** The relay engine as the RPC sees it (RelayEngine implements it). */
export interface TxSubmitter {
  /** Resolves once the tx is durable (fsync'd journal), before any send. */
  submitLocal(blob: Uint8Array): Promise<SubmitResult>;
  /** Txs anybody may see: broadcast (fluffed) ones only. */
  publicTransactions(): readonly PoolEntry[];
  /** Every tx with its relay state, for the operator (never on a restricted listener). */
  transactions(): readonly PoolEntry[];
  status(): RelayStatus;
  /** Local txs the network refused or that expired, with why (operator view). */
  rejected(): readonly RejectedTx[];
  /** Drops queued local txs durably (all when `ids` is omitted); resolves with the ids dropped. */
  flush(ids?: readonly string[]): Promise<string[]>;
  /** Local txs in private broadcast, with their carrier counts (operator view); absent: none. */
  privateBroadcastStatus?(): readonly PrivateBroadcastStatus[];
}

/** The chain top claimed on a zone (veilnode keeps no chain: it mirrors what its peers report). */
export interface ChainTop {
  /** Block count (monerod's `height`: top block height + 1). */
  readonly height: number;
  /** Lower-case hex id of the top block. */
  readonly topBlockHash: string;
  /** Height peers claim to be syncing towards; 0 when we are at the top (monerod's convention). */
  readonly targetHeight: number;
}

export interface ChainInfoSource {
  /**
   * The chain top learnt on `zone`, or the best over every zone when `zone` is undefined
   * (operator view). Undefined before any peer told us one.
   */
  chainTop(zone?: string): ChainTop | undefined;
}

/** One open p2p connection. */
export interface ConnectionInfo {
  readonly zone: string;
  /** Opaque connection id (never an address). */
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  /** The remote in the zone's text form (`IP:PORT`, `x.onion:PORT`), when known. */
  readonly address?: string;
  /** The peer_id it announced (0n before the handshake). */
  readonly peerId: bigint;
  /** Handshake done and the peer usable for relay. */
  readonly ready: boolean;
  /** The chain height the peer reported. */
  readonly height: number;
  readonly pruningSeed: number;
  readonly supportFlags: number;
  readonly rpcPort: number;
  /** When the connection opened (ms since the epoch), when known. */
  readonly openedAt?: number;
}

export interface ConnectionInfoSource {
  connections(): readonly ConnectionInfo[];
}

/** One peer-list entry of a zone's address book. */
export interface PeerListEntry {
  readonly zone: string;
  /** monerod's white list (peers we connected to) or gray list (peers we heard of). */
  readonly list: 'white' | 'gray';
  /** The peer in the zone's text form. */
  readonly address: string;
  readonly peerId: bigint;
  /** ms since the epoch; 0 when unknown. */
  readonly lastSeen: number;
  readonly pruningSeed: number;
  readonly rpcPort: number;
}

export interface PeerListSource {
  peerList(): readonly PeerListEntry[];
}

/** One enabled zone's transport health (Tor's SOCKS proxy or control port gone, ...). */
export interface ZoneHealth {
  readonly zone: string;
  readonly healthy: boolean;
  /** Why not (no secrets, no peer addresses); absent when healthy. */
  readonly problem?: string;
}

export interface ZoneHealthSource {
  zoneHealth(): readonly ZoneHealth[];
}

/** Everything the monerod endpoints are built from. */
export interface MonerodRpcSources {
  readonly txs: TxSubmitter;
  readonly chain: ChainInfoSource;
  readonly connections: ConnectionInfoSource;
  readonly peers: PeerListSource;
  readonly network: NetworkName;
  /** The name of the public (clearnet) zone: monerod's "public" counts are this zone's. */
  readonly publicZone: string;
  /** veilnode's version, shown to unrestricted clients only (as monerod hides its version). */
  readonly version: string;
  /** When the node started (ms since the epoch). */
  readonly startTime: number;
  /** Wall clock in ms (tests inject one). */
  readonly now?: () => number;
  /** The enabled zones' health, for unrestricted get_info (`veilnode.zones`); absent in RPC-only tests. */
  readonly zoneHealth?: ZoneHealthSource;
  /** The upstream daemon's chain (`--bootstrap-daemon-address`); absent without one. */
  readonly upstreamChain?: UpstreamChainSource;
}

/** get_info's chain fields from the upstream daemon. */
export interface UpstreamChainSource {
  /** The upstream's address, get_info's `bootstrap_daemon_address` (unrestricted clients only). */
  readonly label: string;
  /** The upstream's own get_info answer; rejects when it does not answer. */
  chainInfo(): Promise<Record<string, unknown>>;
}
