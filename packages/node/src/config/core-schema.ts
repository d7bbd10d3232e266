import { CONFIG_FORMATS, type NetworkName } from '@veilnode/plugin-api';
import type { RawRpcZoneListener } from './rpc-zones';
import type { RawZoneSettings } from './zone-settings';
import { DEFAULT_CROSS_ZONE_DELAY } from '../relay/relay-engine-config';
import { DEFAULT_LOCAL_TX_MAX_AGE_MS } from '../relay/rejection-tracker';
import { DEFAULT_PEER_TX_QUOTA } from '../relay/peer-tx-quota';
import { DEFAULT_RELAY_POOL_LIMITS } from '../relay/relay-pool';
import { upstreamAddressProblem } from './upstream-address';
import { DEFAULT_ECHO_TRACKER } from '../relay/echo-tracker';
import { endpointRule } from './host-port';

export const NETWORKS: readonly NetworkName[] = ['mainnet', 'testnet', 'stagenet', 'regtest'];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** monerod's default --limit-rate-up / --limit-rate-down (kB/s). */
export const DEFAULT_LIMIT_RATE_UP_KBPS = 2048;
export const DEFAULT_LIMIT_RATE_DOWN_KBPS = 8192;

/** Largest JSON-RPC request body the RPC server reads (bytes). */
export const DEFAULT_RPC_MAX_BODY_BYTES = 1024 * 1024;

/** monerod's --rpc-ssl, --rpc-ssl-certificate, --rpc-ssl-private-key. */
export interface RpcSslConfig {
  /** `enabled`: TLS only; `autodetect`: TLS and plain HTTP on one port; `disabled`. Without certificate files a self-signed one is made at start. */
  readonly mode: 'enabled' | 'autodetect' | 'disabled';
  /** PEM certificate and private key files, or null. */
  readonly certificate: string | null;
  readonly privateKey: string | null;
}

/** The upstream daemon chain requests are forwarded to (monerod's --bootstrap-daemon-* flags). */
export interface UpstreamConfig {
  /** `http(s)://HOST:PORT` (an onion or b32 HOST goes through that zone), or null: no upstream. */
  readonly address: string | null;
  /** `USER:PASSWORD` of the upstream's --rpc-login, or null. */
  readonly login: string | null;
  /** SOCKS5 proxy `IP:PORT` for a clearnet upstream, or null: direct. */
  readonly proxy: string | null;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** How often the upstream's pool and new blocks are read to confirm our local txs. */
  readonly watchIntervalMs: number;
  /** PEM file an https upstream's certificate must chain to (a pinned self-signed one), or null: system CAs. */
  readonly sslCertificate: string | null;
}

/** The validated configuration core reads. Plugin settings sit beside it under each plugin's name. */
export interface NodeConfig {
  readonly plugins: readonly string[];
  readonly network: NetworkName;
  readonly dataDir: string;
  readonly log: { readonly level: LogLevel };
  readonly p2p: {
    readonly bindIp: string;
    readonly bindPort: number;
    readonly padTransactions: boolean;
    /** Upload / download limits of all peer traffic (every zone, noise included), kB/s. */
    readonly limitRateUp: number;
    readonly limitRateDown: number;
    /** monerod's `--ban-list`: file of IPs, CIDR subnets and hidden-service hosts never dialled, refused inbound, dropped from peer lists; null = none. */
    readonly banList: string | null;
  };
  readonly rpc: {
    readonly bindIp: string;
    readonly bindPort: number;
    readonly login: string | null;
    readonly restricted: boolean;
    readonly maxBodyBytes: number;
    /** The restricted second listener (monerod's --rpc-restricted-bind-*): null port = none, null IP = bindIp. */
    readonly restrictedBindIp: string | null;
    readonly restrictedBindPort: number | null;
    /** monerod's --confirm-external-bind: an unrestricted non-loopback bind is refused without it. */
    readonly confirmExternalBind: boolean;
    /** Hidden-service RPC listeners by anonymity zone (always restricted). */
    readonly zones: Readonly<Record<string, RawRpcZoneListener>>;
    readonly upstream: UpstreamConfig;
    readonly ssl: RpcSslConfig;
  };
  readonly relay: {
    /** A tx crosses from the zone it arrived on to the others after U(0, this) ms (issue 5 rule 4). */
    readonly crossZoneDelayMaxMs: number;
    /** A local tx not delivered this many hours after it was queued is given up (moved to `rejected`). */
    readonly localTxMaxAgeHours: number;
    readonly poolMaxTxs: number;
    readonly poolMaxBytes: number;
    readonly poolLifetimeMs: number;
    readonly peerTxsPerSecond: number;
    readonly peerTxBytesPerSecond: number;
    /** Private broadcast (issue 14): local txs of anonymity zones on carriers of their own, delivered by echo. */
    readonly privateBroadcast: { readonly enabled: boolean; readonly fanout: number };
  };
  readonly zones: Readonly<Record<string, RawZoneSettings>>;
  /** Prometheus metrics (`--metrics-bind`): `IP:PORT` of GET /metrics, null = off. */
  readonly metrics: { readonly bind: string | null };
  readonly [plugin: string]: unknown;
}

/**
 * The core convict schema. `zones` is open-ended (plugins add zones), so convict only checks it
 * is an object; zone-settings.ts validates each entry field by field.
 */
export function coreSchema(): Record<string, unknown> {
  return {
    plugins: {
      doc: 'Plugin modules to load, in order: package names or paths relative to the config file',
      format: CONFIG_FORMATS.stringList,
      default: [],
    },
    network: { doc: 'Monero network', format: [...NETWORKS], default: 'mainnet', env: 'VEILNODE_NETWORK' },
    dataDir: { doc: 'Data directory (~ expands to the home directory)', format: nonEmptyString, default: '~/.veilnode', env: 'VEILNODE_DATA_DIR' },
    log: {
      level: { doc: 'Log level', format: [...LOG_LEVELS], default: 'info', env: 'VEILNODE_LOG_LEVEL' },
    },
    p2p: {
      bindIp: { doc: 'IP the clearnet p2p listener binds', format: CONFIG_FORMATS.ip, default: '127.0.0.1', env: 'VEILNODE_P2P_BIND_IP' },
      bindPort: { doc: 'Port of the clearnet p2p listener (0 = ephemeral)', format: CONFIG_FORMATS.port, default: 18080, env: 'VEILNODE_P2P_BIND_PORT' },
      padTransactions: {
        doc: "Pad transaction messages to a multiple of 1024 bytes, hiding tx sizes from link observers (monerod's --pad-transactions; noise frames are fixed-size anyway)",
        format: CONFIG_FORMATS.boolean,
        default: false,
        env: 'VEILNODE_P2P_PAD_TRANSACTIONS',
      },
      limitRateUp: {
        doc: "Upload limit of all peer traffic, every zone and noise included, in kB/s (monerod's --limit-rate-up and its default)",
        format: positiveInt,
        default: DEFAULT_LIMIT_RATE_UP_KBPS,
      },
      limitRateDown: {
        doc: "Download limit of all peer traffic in kB/s (monerod's --limit-rate-down and its default)",
        format: positiveInt,
        default: DEFAULT_LIMIT_RATE_DOWN_KBPS,
      },
      banList: {
        doc: "File of peers never dialled, refused inbound and dropped from learnt peer lists: IPs, CIDR subnets, .onion/.b32.i2p hosts, one per line, # comments (monerod's --ban-list); read once at start; null = none",
        format: nullableRule((v) => (v.length > 0 ? undefined : 'must name a file')),
        default: null,
        nullable: true,
      },
    },
    rpc: {
      bindIp: { doc: 'IP the RPC server binds', format: CONFIG_FORMATS.ip, default: '127.0.0.1', env: 'VEILNODE_RPC_BIND_IP' },
      bindPort: { doc: 'Port of the RPC server (0 = ephemeral)', format: CONFIG_FORMATS.port, default: 18081, env: 'VEILNODE_RPC_BIND_PORT' },
      login: {
        doc: 'USER:PASSWORD required from RPC clients (HTTP Digest auth); null = none',
        format: CONFIG_FORMATS.login,
        default: null,
        nullable: true,
        sensitive: true,
        env: 'VEILNODE_RPC_LOGIN',
      },
      restricted: { doc: 'Serve only methods marked safe for untrusted clients', format: CONFIG_FORMATS.boolean, default: false, env: 'VEILNODE_RPC_RESTRICTED' },
      maxBodyBytes: { doc: 'Largest request body accepted (bytes)', format: positiveInt, default: DEFAULT_RPC_MAX_BODY_BYTES },
      restrictedBindIp: { doc: 'IP of the restricted second RPC listener (null = rpc.bindIp)', format: CONFIG_FORMATS.ip, default: null, nullable: true },
      restrictedBindPort: { doc: 'Port of the restricted second RPC listener (null = none)', format: CONFIG_FORMATS.port, default: null, nullable: true },
      confirmExternalBind: {
        doc: 'Confirms an unrestricted RPC bound to a non-loopback address (refused without it, as monerod)',
        format: CONFIG_FORMATS.boolean,
        default: false,
      },
      zones: {
        doc: 'Hidden-service RPC: rpc.zones.<zone> = {address, bind}, a restricted RPC listener on BIND for wallets reaching ADDRESS through Tor/I2P',
        // An open-ended object like `zones`: rpc-zones.ts checks each entry (build-config.ts).
        format: Object,
        default: {},
      },
      ssl: {
        mode: {
          doc: 'TLS on the clearnet RPC listener: enabled (TLS only), autodetect (TLS and plain HTTP on one port), disabled; without a certificate one is made at start, as monerod does',
          format: ['enabled', 'autodetect', 'disabled'],
          default: 'autodetect',
          env: 'VEILNODE_RPC_SSL',
        },
        certificate: { doc: 'PEM certificate file of the RPC listener; null = none', format: nullableRule((v) => (v.length > 0 ? undefined : 'must not be empty')), default: null, nullable: true },
        privateKey: { doc: 'PEM private key file of the RPC listener; null = none', format: nullableRule((v) => (v.length > 0 ? undefined : 'must not be empty')), default: null, nullable: true, sensitive: true },
      },
      upstream: {
        address: {
          doc: "Upstream monerod (http(s)://HOST:PORT; .onion/.i2p hosts go through that zone) that answers the chain RPC veilnode does not, or 'auto' (a public RPC node our peers advertise); null = none",
          format: nullableRule(upstreamAddressProblem),
          default: null,
          nullable: true,
          env: 'VEILNODE_RPC_UPSTREAM_ADDRESS',
        },
        login: { doc: "USER:PASSWORD of the upstream's --rpc-login (HTTP Digest); null = none", format: CONFIG_FORMATS.login, default: null, nullable: true, sensitive: true, env: 'VEILNODE_RPC_UPSTREAM_LOGIN' },
        proxy: { doc: 'SOCKS5 proxy IP:PORT for a clearnet upstream; null = direct', format: nullableRule(endpointRule), default: null, nullable: true, env: 'VEILNODE_RPC_UPSTREAM_PROXY' },
        connectTimeoutMs: { doc: 'Deadline to connect to the upstream (ms)', format: positiveInt, default: 30_000 },
        idleTimeoutMs: { doc: 'An upstream request fails when the upstream sends nothing for this long (ms)', format: positiveInt, default: 120_000 },
        watchIntervalMs: {
          doc: "How often the upstream's pool hashes and new blocks are read (never naming our txs) to learn that a local tx is public or mined (ms)",
          format: positiveInt,
          default: 20_000,
        },
        sslCertificate: { doc: "PEM file an https upstream's certificate must chain to (pin a self-signed one); null = the system CAs", format: nullableRule((v) => (v.length > 0 ? undefined : 'must not be empty')), default: null, nullable: true },
      },
    },
    relay: {
      crossZoneDelayMaxMs: {
        doc:
          'A tx received on one zone reaches the other zones after a uniform random delay of 0 to this many ms ' +
          '(shorter: faster propagation; longer: harder to tell which zone saw it first). See the README, Measured',
        format: nonNegativeInt,
        default: DEFAULT_CROSS_ZONE_DELAY.maxMs,
        env: 'VEILNODE_RELAY_CROSS_ZONE_DELAY_MAX_MS',
      },
      localTxMaxAgeHours: {
        doc:
          'A local tx still undelivered this many hours after it was first queued is given up and listed as rejected ' +
          "(default 72: monerod's MEMPOOL_TX_LIVETIME, after which the network forgets an unmined tx anyway)",
        format: positiveHours,
        default: DEFAULT_LOCAL_TX_MAX_AGE_MS / 3600_000,
      },
      poolMaxTxs: {
        doc: 'Most txs the relay pool holds; beyond, the biggest contributor\'s oldest single-source tx makes room',
        format: positiveInt,
        default: DEFAULT_RELAY_POOL_LIMITS.maxTxs,
      },
      poolMaxBytes: { doc: 'Most tx bytes the relay pool holds (same eviction rule)', format: positiveInt, default: DEFAULT_RELAY_POOL_LIMITS.maxBytes },
      poolLifetimeMs: {
        doc: 'How long a relayed tx is remembered (not relayed twice) before it is forgotten',
        format: positiveInt,
        default: DEFAULT_RELAY_POOL_LIMITS.lifetimeMs,
      },
      peerTxsPerSecond: {
        doc: 'Txs per second one connection may send us (20 s of it in a burst); a connection over it is closed',
        format: positiveInt,
        default: DEFAULT_PEER_TX_QUOTA.txsPerSecond,
      },
      peerTxBytesPerSecond: {
        doc: 'Tx bytes per second one connection may send us (20 s of it in a burst); a connection over it is closed',
        format: positiveInt,
        default: DEFAULT_PEER_TX_QUOTA.bytesPerSecond,
      },
      privateBroadcast: {
        enabled: {
          doc:
            'Send each local tx on fresh connections of its own (carriers: a new Tor circuit each) and count it delivered only when it comes back ' +
            'from elsewhere; in effect on the anonymity zones whose transport can open them (see the relay README)',
          format: Boolean,
          default: true,
        },
        fanout: {
          doc: `Carriers per sending round of one local tx (1..${DEFAULT_ECHO_TRACKER.maxCarriersPerHour}, the carriers one tx may use per hour)`,
          format: (value: unknown) => {
            if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > DEFAULT_ECHO_TRACKER.maxCarriersPerHour)
              throw new Error(`must be an integer from 1 to ${DEFAULT_ECHO_TRACKER.maxCarriersPerHour}`);
          },
          default: DEFAULT_ECHO_TRACKER.fanout,
        },
      },
    },
    zones: { doc: 'Per-zone settings, zones.<name> (see ZoneConfig)', format: Object, default: {} },
    metrics: {
      bind: { doc: 'IP:PORT serving Prometheus metrics at GET /metrics (null = off)', format: CONFIG_FORMATS.bindAddress, default: null, nullable: true },
    },
  };
}

/** Top-level keys of the core schema: a plugin may not take one of these names. */
export const CORE_CONFIG_KEYS: readonly string[] = Object.keys(coreSchema());

function nullableRule(rule: (value: string) => string | undefined): (value: unknown) => void {
  return (value) => {
    if (value === null) return;
    if (typeof value !== 'string') throw new Error('must be a string or null');
    const problem = rule(value);
    if (problem !== undefined) throw new Error(problem);
  };
}

function nonEmptyString(value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) throw new Error('must be a non-empty string');
}

function nonNegativeInt(value: unknown): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new Error('must be an integer >= 0');
}

/** Hours up to a year; fractions allowed (tests and impatient operators). */
function positiveHours(value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 24 * 366) throw new Error('must be a number of hours > 0 and <= 8784');
}

function positiveInt(value: unknown): void {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) throw new Error('must be a positive integer');
}
