import type { AddressCodec } from './address';
import type { SocksProxy } from './socks/socks-proxy';
import type { ListenBind } from './transport';

/**
 * The rules of one network zone. Policies are plain frozen data so they can be logged, tested
 * and compared; core's peer and relay layers consult them, transports never do.
 */
export interface ZonePolicy {
  readonly zone: string;
  /** True for Tor/I2P-like zones: anonymity rules apply and local txs prefer these zones. */
  readonly anonymity: boolean;
  /** P2P commands accepted from peers; `'all'` for no filter. Others are answered/closed as monerod does. */
  readonly inboundCommands: ReadonlySet<number> | 'all';
  /** P2P commands we may send on this zone. */
  readonly outboundCommands: ReadonlySet<number> | 'all';
  /** Send peer lists (only of this zone's peers) in handshakes and timed syncs. */
  readonly sharePeerList: boolean;
  /** Announce our own inbound address of this zone to this zone's peers. */
  readonly announceOwnAddress: boolean;
  /** Detect self-connections by peer_id (monerod does this on the public zone only). */
  readonly checkPeerId: boolean;
  /** Fixed peer_id we present (1n on anonymity zones); undefined = random per run. */
  readonly fixedPeerId?: bigint;
  /** Advertise our listening port in node_data.my_port (false → 0). */
  readonly advertisePort: boolean;
  /** node_data.support_flags we send (1 = fluffy blocks on the public zone, 0 on anonymity zones). */
  readonly supportFlags: number;
  /** Answer/send PING and REQUEST_SUPPORT_FLAGS (public zone only in monerod). */
  readonly allowPing: boolean;
  /** Default connection limits (config may lower or raise them). */
  readonly defaultMaxOutbound: number;
  readonly defaultMaxInbound: number;
  /** White-noise padding on by default for this zone (disable_noise turns it off). */
  readonly noiseByDefault: boolean;
}

/** P2P command ids (docs/commands.md). */
export const Command = {
  Handshake: 1001,
  TimedSync: 1002,
  Ping: 1003,
  RequestSupportFlags: 1007,
  NewBlock: 2001,
  NewTransactions: 2002,
  RequestGetObjects: 2003,
  ResponseGetObjects: 2004,
  RequestChain: 2006,
  ResponseChainEntry: 2007,
  NewFluffyBlock: 2008,
  RequestFluffyMissingTx: 2009,
  GetTxpoolComplement: 2010,
} as const;

const ANONYMITY_COMMANDS: ReadonlySet<number> = new Set([Command.Handshake, Command.TimedSync, Command.NewTransactions]);

/** monerod's anonymity-zone rules (docs/anonymity-zones.md), for Tor, I2P and third-party zones alike. */
export function anonymityZonePolicy(zone: string, overrides: Partial<Omit<ZonePolicy, 'zone'>> = {}): ZonePolicy {
  return Object.freeze({
    zone,
    anonymity: true,
    inboundCommands: ANONYMITY_COMMANDS,
    outboundCommands: ANONYMITY_COMMANDS,
    sharePeerList: true,
    announceOwnAddress: true,
    checkPeerId: false,
    fixedPeerId: 1n,
    advertisePort: false,
    supportFlags: 0,
    allowPing: false,
    defaultMaxOutbound: 12,
    defaultMaxInbound: 64,
    noiseByDefault: true,
    ...overrides,
  });
}

/** monerod's public-zone rules. */
export function publicZonePolicy(zone: string, overrides: Partial<Omit<ZonePolicy, 'zone'>> = {}): ZonePolicy {
  return Object.freeze({
    zone,
    anonymity: false,
    inboundCommands: 'all' as const,
    outboundCommands: 'all' as const,
    sharePeerList: true,
    announceOwnAddress: true,
    checkPeerId: true,
    advertisePort: true,
    supportFlags: 1,
    allowPing: true,
    defaultMaxOutbound: 12,
    defaultMaxInbound: 64,
    noiseByDefault: false,
    ...overrides,
  });
}

export function policyAllows(policy: ZonePolicy, direction: 'inbound' | 'outbound', command: number): boolean {
  const set = direction === 'inbound' ? policy.inboundCommands : policy.outboundCommands;
  return set === 'all' || set.has(command);
}

/**
 * A zone as a plugin contributes it. Registering the same definition object twice (two
 * transports of one zone importing one shared definition) is allowed; two different
 * definitions of one zone name are a conflict.
 */
export interface ZoneDefinition {
  readonly name: string;
  readonly codec: AddressCodec;
  readonly policy: ZonePolicy;
  /**
   * Built-in seed addresses (zone text form) for the node's network, dialled only when the zone
   * knows no peers; peers learned from them stay in this zone. Config `zones.<name>.seeds` wins.
   */
  readonly seeds?: readonly string[];
}

/** A zone's validated settings from config (`zones.<name>`), as transports and core see them. */
export interface ZoneConfig {
  readonly name: string;
  readonly enabled: boolean;
  /** Name of the transport that serves this zone. */
  readonly transport: string;
  /**
   * SOCKS proxy for proxy-based transports, parsed once by the node from
   * `[socks4a|socks5://][user:pass@]IP:PORT` (`version` is its kind; IPv6 hosts without
   * brackets), or null: the transport's default.
   */
  readonly proxy: SocksProxy | null;
  readonly maxOutbound: number;
  readonly maxInbound: number;
  /**
   * Inbound connections one IP (a public IPv6 /64) may hold, as monerod's
   * `--max-connections-per-ip`; undefined = no per-IP limit, which is always so on anonymity
   * zones: their inbound peers all reach us from the local Tor/I2P daemon's address.
   */
  readonly maxConnectionsPerIp?: number;
  /** White noise on anonymity links (false when `disable_noise`). */
  readonly noise: boolean;
  /**
   * Where the transport listens and the address peers reach us at. Anonymity zones: from
   * `--anonymous-inbound` (our .onion/.b32.i2p address and the local bind the daemon forwards
   * to), null = outbound only. The public (non-anonymity) zone: core fills it from
   * `p2p.bindIp`/`p2p.bindPort` unless the zone config sets it. A transport that can listen
   * is handed `inbound.bind` (port 0 = ephemeral) in ListenOptions.bind and reports the real
   * address in Listener.addresses. `address` stays zone text: only the zone's codec parses it.
   */
  readonly inbound: { readonly address: string; readonly bind: ListenBind; readonly max: number } | null;
  /** Peers to dial (`--add-peer`), exclusive peers (`--add-exclusive-node`), seeds. Zone text form. */
  readonly peers: readonly string[];
  readonly exclusivePeers: readonly string[];
  readonly seeds: readonly string[];
}
