import { CONFIG_FORMATS } from '../api/config-formats';
import type { NetworkName } from '../api/transport';
import type { RawRpcZoneListener } from './rpc-zones';
import type { RawZoneSettings } from './zone-settings';
import { DEFAULT_CROSS_ZONE_DELAY } from '../relay/relay-engine-config';
import { parseUpstreamAddress } from '../rpc/upstream/upstream-address';
import { endpointRule } from './host-port';

export const NETWORKS: readonly NetworkName[] = ['mainnet', 'testnet', 'stagenet', 'regtest'];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Largest JSON-RPC request body the RPC server reads (bytes). */
export const DEFAULT_RPC_MAX_BODY_BYTES = 1024 * 1024;

/** monerod's --rpc-ssl, --rpc-ssl-certificate, --rpc-ssl-private-key. */
export interface RpcSslConfig {
  /** `enabled`: TLS only; `autodetect`: TLS and plain HTTP on one port (plain only without a certificate); `disabled`. */
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
  readonly p2p: { readonly bindIp: string; readonly bindPort: number; readonly padTransactions: boolean };
  readonly rpc: {
    readonly bindIp: string;
    readonly bindPort: number;
    readonly login: string | null;
    readonly restricted: boolean;
    readonly maxBodyBytes: number;
    /** Hidden-service RPC listeners by anonymity zone (always restricted). */
    readonly zones: Readonly<Record<string, RawRpcZoneListener>>;
    readonly upstream: UpstreamConfig;
    readonly ssl: RpcSslConfig;
  };
  readonly relay: {
    /** A tx crosses from the zone it arrived on to the others after U(0, this) ms (issue 5 rule 4). */
    readonly crossZoneDelayMaxMs: number;
  };
  readonly zones: Readonly<Record<string, RawZoneSettings>>;
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
      bindPort: { doc: 'Port of the clearnet p2p listener (0 = ephemeral)', format: 'port', default: 18080, env: 'VEILNODE_P2P_BIND_PORT' },
      padTransactions: {
        doc: "Pad transaction messages to a multiple of 1024 bytes, hiding tx sizes from link observers (monerod's --pad-transactions; noise frames are fixed-size anyway)",
        format: Boolean,
        default: false,
        env: 'VEILNODE_P2P_PAD_TRANSACTIONS',
      },
    },
    rpc: {
      bindIp: { doc: 'IP the RPC server binds', format: CONFIG_FORMATS.ip, default: '127.0.0.1', env: 'VEILNODE_RPC_BIND_IP' },
      bindPort: { doc: 'Port of the RPC server (0 = ephemeral)', format: 'port', default: 18081, env: 'VEILNODE_RPC_BIND_PORT' },
      login: {
        doc: 'USER:PASSWORD required from RPC clients (HTTP Digest auth); null = none',
        format: CONFIG_FORMATS.login,
        default: null,
        nullable: true,
        sensitive: true,
        env: 'VEILNODE_RPC_LOGIN',
      },
      restricted: { doc: 'Serve only methods marked safe for untrusted clients', format: Boolean, default: false, env: 'VEILNODE_RPC_RESTRICTED' },
      maxBodyBytes: { doc: 'Largest request body accepted (bytes)', format: positiveInt, default: DEFAULT_RPC_MAX_BODY_BYTES },
      zones: {
        doc: 'Hidden-service RPC: rpc.zones.<zone> = {address, bind}, a restricted RPC listener on BIND for wallets reaching ADDRESS through Tor/I2P',
        // An open-ended object like `zones`: rpc-zones.ts checks each entry (build-config.ts).
        format: Object,
        default: {},
      },
      ssl: {
        mode: {
          doc: 'TLS on the clearnet RPC listener: enabled (TLS only), autodetect (TLS and plain HTTP on one port; plain only without a certificate), disabled',
          format: ['enabled', 'autodetect', 'disabled'],
          default: 'autodetect',
          env: 'VEILNODE_RPC_SSL',
        },
        certificate: { doc: 'PEM certificate file of the RPC listener; null = none', format: nullableRule((v) => (v.length > 0 ? undefined : 'must not be empty')), default: null, nullable: true },
        privateKey: { doc: 'PEM private key file of the RPC listener; null = none', format: nullableRule((v) => (v.length > 0 ? undefined : 'must not be empty')), default: null, nullable: true, sensitive: true },
      },
      upstream: {
        address: {
          doc: 'Upstream monerod (http(s)://HOST:PORT; .onion/.i2p hosts go through that zone) that answers the chain RPC veilnode does not; null = none',
          format: nullableRule((v) => {
            const parsed = parseUpstreamAddress(v);
            return typeof parsed === 'string' ? parsed : undefined;
          }),
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
    },
    zones: { doc: 'Per-zone settings, zones.<name> (see ZoneConfig)', format: Object, default: {} },
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

function positiveInt(value: unknown): void {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) throw new Error('must be a positive integer');
}
