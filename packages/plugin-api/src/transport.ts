import type { Duplex } from 'node:stream';
import type { Logger } from './logger';
import type { PeerAddress } from './address';
import type { ZoneConfig } from './zone';

/**
 * A Transport moves bytes for one zone: it dials zone addresses and accepts inbound
 * connections, returning plain Node duplex streams. The Levin protocol sits above it in core,
 * so a transport never parses or frames messages.
 *
 * Contract (checked by the compliance suite in @veilnode/compliance):
 * - dial() resolves with an open stream or rejects with a typed TransportError
 *   (DialError with a specific code, TimeoutError, AbortedError, TransportUnavailableError);
 * - a rejected or aborted dial leaves no socket or handle open;
 * - listen() calls `onConnection` for every accepted inbound stream until the Listener closes;
 * - stop() closes listeners and every stream the transport still owns; afterwards dial() and
 *   listen() reject with TransportUnavailableError;
 * - a dial of an address of another zone rejects with DialError `ZONE_MISMATCH` and sends nothing;
 * - DialOptions.signal / ListenOptions.signal govern the dial / the listen call only: aborting
 *   it later does not touch an established stream, and no listener stays on the signal.
 */
export interface Transport {
  /** Transport name as used in config (`clearnet`, `tor`, `i2p-sam`, ...). */
  readonly name: string;
  /** The zone this transport instance serves. */
  readonly zone: string;
  readonly capabilities: TransportCapabilities;
  /** Async setup (connect to a control port, create a SAM session...). Optional. */
  start?(signal?: AbortSignal): Promise<void>;
  /** Release everything; idempotent. */
  stop(): Promise<void>;
  dial(address: PeerAddress, options?: DialOptions): Promise<TransportConnection>;
  listen(onConnection: (connection: TransportConnection) => void, options?: ListenOptions): Promise<Listener>;
  /** Health as the transport sees it (proxy reachable, session alive...), for logs and get_info. */
  status?(): TransportStatus;
}

export interface TransportCapabilities {
  readonly dial: boolean;
  readonly listen: boolean;
  /**
   * Whether one side may end() its writing half and still receive (TCP half-close). Default
   * true. Tor streams cannot: an EOF from either side ends the stream both ways (RELAY_END), so
   * data still in flight towards the side that ended is dropped. Levin never half-closes.
   */
  readonly halfClose?: boolean;
  /**
   * The transport creates its own inbound address (Tor with `tor.control`: ADD_ONION), so the
   * zone listens even when `zones.<name>.inbound` is not configured. Default false.
   */
  readonly ownInbound?: boolean;
}

export interface TransportStatus {
  readonly healthy: boolean;
  /** Human-readable reason when not healthy (no secrets). */
  readonly reason?: string;
}

export interface DialOptions {
  readonly signal?: AbortSignal;
  /** Overall deadline for the dial (TCP + proxy negotiation). Transport default if absent. */
  readonly timeoutMs?: number;
  /**
   * The stream must use a network identity no other stream uses or used: its own Tor circuit
   * (fresh SOCKS isolation credentials), its own I2P transient destination. Core asks for it only
   * from transports whose definition declares `freshIdentity` for the zone; a transport that
   * cannot give it must reject (TransportUnavailableError) and send nothing, never dial without it.
   */
  readonly freshIdentity?: boolean;
}

export interface ListenOptions {
  readonly signal?: AbortSignal;
  /**
   * Local address to bind: the node always passes the zone's `inbound.bind`. Clearnet: the p2p
   * bind address (`--p2p-bind-ip`/`--p2p-bind-port`); anonymity zones: the local end their
   * daemon forwards inbound streams to (the BIND-IP:PORT of `--anonymous-inbound`). A transport
   * that listens on a socket binds exactly this. When absent (a transport used on its own) the
   * transport picks a safe default (127.0.0.1, port 0).
   */
  readonly bind?: ListenBind;
}

/**
 * Where a listener binds, parsed: `host` is an IPv4 literal, an IPv6 literal without brackets
 * (`::1`), or a host name the OS resolves when binding (`localhost`; the node's own config
 * passes IP literals only); `port` 0..65535, 0 = a free port.
 */
export interface ListenBind {
  readonly host: string;
  readonly port: number;
}

export interface TransportConnection {
  readonly stream: Duplex;
  readonly direction: 'inbound' | 'outbound';
  /**
   * What the transport knows about the remote. For outbound: the dialled address. For inbound
   * on anonymity zones: the peer's zone address if the transport learns it (SAM gives the
   * destination), otherwise undefined — never a loopback/clearnet socket address.
   */
  readonly remote?: PeerAddress;
}

export interface Listener {
  /** Own addresses peers can reach us at, in the zone's text form (shown in get_zones `inbound`). */
  readonly addresses: readonly string[];
  /** Stop accepting; established streams stay open (stop() or their owner ends them). Idempotent. */
  close(): Promise<void>;
}

/** Everything a transport factory gets. */
export interface TransportContext {
  /** The zone this transport will serve, with its validated zone settings. */
  readonly zone: ZoneConfig;
  /** The owning plugin's validated config fragment. */
  readonly pluginConfig: unknown;
  readonly network: NetworkName;
  /** A directory private to this transport inside the node's data dir (created on demand). */
  readonly dataDir: string;
  readonly logger: Logger;
}

export type NetworkName = 'mainnet' | 'testnet' | 'stagenet' | 'regtest';

export interface TransportDefinition {
  /** Unique transport name (`tor`, `i2p-sam`...). */
  readonly name: string;
  /** The zone it serves. */
  readonly zone: string;
  create(context: TransportContext): Transport;
  /**
   * Whether the transports it creates for this zone config honour `DialOptions.freshIdentity`.
   * Core then opens private-broadcast carriers on the zone (each local tx on connections of its
   * own); without it the zone carries local txs the way it did before. Absent: false.
   */
  freshIdentity?(zone: ZoneConfig): boolean;
}
