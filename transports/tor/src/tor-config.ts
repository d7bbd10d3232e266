import { isIP } from 'node:net';
import { ConfigError, type DialTarget, type NetworkName } from '@veilnode/plugin-api';
import { OnionV3Codec } from './onion-v3-codec';

/** The `tor.*` plugin settings after validation. */
export interface TorPluginConfig {
  /** Tor control port (`--tor-control IP:PORT`, IPv4 or `[IPv6]`), parsed; null: no onion service is created. */
  readonly control: DialTarget | null;
  /** HASHEDPASSWORD for the control port; cookie auth (SAFECOOKIE/COOKIE) is used when null. */
  readonly controlPassword: string | null;
  /** Fresh random SOCKS credentials per connection (Tor stream isolation). */
  readonly isolation: boolean;
  /** Deadline of one SOCKS dial (TCP + negotiation + Tor's circuit/rendezvous), ms. */
  readonly socksTimeoutMs: number;
  /** Virtual port of the onion service we create when `--anonymous-inbound` gives none. */
  readonly onionPort: number;
  /** Back-off of control-port and SOCKS-proxy retries, ms. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Onion seed nodes per network, used only when the Tor zone knows no peers. */
  readonly seeds: Readonly<Record<NetworkName, readonly string[]>>;
}

/** monerod's Tor seeds for mainnet (`node_server::get_seed_nodes`, zone tor). */
const MAINNET_ONION_SEEDS = [
  'xwvz3ekocr3dkyxfkmgm2hvbpzx2ysqmaxgter7znnqrhoicygkfswid.onion:18083',
  '4pixvbejrvihnkxmduo2agsnmc3rrulrqc7s3cbwwrep6h6hrzsibeqd.onion:18083',
  'zbjkbsxc5munw3qusl7j2hpcmikhqocdf4pqhnhtpzw5nt5jrmofptid.onion:18083',
  'qz43zul2x56jexzoqgkx2trzwcfnr6l3hbtfcfx54g4r3eahy3bssjyd.onion:18083',
  'plowsof3t5hogddwabaeiyrno25efmzfxyro2vligremt7sxpsclfaid.onion:18083',
  'plowsoffjexmxalw73tkjmf422gq6575fc7vicuu4javzn2ynnte6tyd.onion:18083',
];

export const DEFAULT_TOR_CONFIG: TorPluginConfig = Object.freeze({
  control: null,
  controlPassword: null,
  isolation: true,
  socksTimeoutMs: 45_000,
  onionPort: 18083,
  retryInitialMs: 1_000,
  retryMaxMs: 60_000,
  seeds: Object.freeze({ mainnet: MAINNET_ONION_SEEDS, testnet: [], stagenet: [], regtest: [] }),
});

const codec = new OnionV3Codec();

/** `IPV4:PORT` or `[IPV6]:PORT`, port 1..65535: the control port is an IP literal, never a name. */
function parseControlEndpoint(value: unknown): DialTarget {
  const match = typeof value === 'string' ? /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value) : null;
  const host = match?.[1] ?? match?.[2] ?? '';
  const port = Number(match?.[3]);
  if (isIP(host) !== (match?.[1] === undefined ? 4 : 6) || port < 1 || port > 65535) {
    throw new Error('must be IP:PORT ([IPV6]:PORT for IPv6), e.g. 127.0.0.1:9051');
  }
  return { host, port };
}

function controlEndpoint(value: unknown): void {
  if (value !== null) parseControlEndpoint(value);
}

function seedList(value: unknown): void {
  if (!Array.isArray(value)) throw new Error('must be a list of <56 base32>.onion:PORT');
  for (const item of value) codec.parse(String(item));
}

function positiveInt(max: number) {
  return (value: unknown): void => {
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) throw new Error(`must be an integer 1..${max}`);
  };
}

/**
 * convict schema fragment for the plugin's settings (mounted under `tor`). Formats are inline
 * functions rather than convict.addFormat, which is global and would collide across plugins.
 */
export const torConfigSchema: Record<string, unknown> = {
  control: { doc: 'Tor control port ip:port (--tor-control); when set, veilnode creates its own onion service with ADD_ONION', format: controlEndpoint, default: null, nullable: true },
  controlPassword: { doc: 'Tor control port password (HASHEDPASSWORD); cookie auth is used when unset', format: (v: unknown) => { if (v !== null && typeof v !== 'string') throw new Error('must be a string'); }, default: null, nullable: true, sensitive: true },
  isolation: { doc: 'stream isolation: fresh random SOCKS credentials per connection', format: Boolean, default: true },
  socksTimeoutMs: { doc: 'deadline of one dial through Tor, ms', format: positiveInt(600_000), default: DEFAULT_TOR_CONFIG.socksTimeoutMs },
  onionPort: { doc: 'virtual port of our own onion service when --anonymous-inbound gives none', format: positiveInt(65535), default: DEFAULT_TOR_CONFIG.onionPort },
  retryInitialMs: { doc: 'first retry delay after the control port or SOCKS proxy failed, ms', format: positiveInt(3_600_000), default: DEFAULT_TOR_CONFIG.retryInitialMs },
  retryMaxMs: { doc: 'longest retry delay, ms', format: positiveInt(3_600_000), default: DEFAULT_TOR_CONFIG.retryMaxMs },
  seeds: {
    mainnet: { doc: 'onion seed nodes on mainnet', format: seedList, default: MAINNET_ONION_SEEDS },
    testnet: { doc: 'onion seed nodes on testnet', format: seedList, default: [] },
    stagenet: { doc: 'onion seed nodes on stagenet', format: seedList, default: [] },
    regtest: { doc: 'onion seed nodes on regtest', format: seedList, default: [] },
  },
};

/**
 * Validates settings the kernel hands over (already convict-checked, or partial in tests),
 * filling defaults. Throws ConfigError naming the key (`tor.<key>`) and the reason.
 */
export function readTorConfig(raw: unknown): TorPluginConfig {
  const input = (raw ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object' || Array.isArray(input)) throw new ConfigError('tor settings must be an object', { path: 'tor' });
  const out: Record<string, unknown> = { ...DEFAULT_TOR_CONFIG };
  for (const key of Object.keys(input)) {
    const spec = torConfigSchema[key] as { format?: (v: unknown) => void } | undefined;
    if (!spec) throw new ConfigError(`unknown setting tor.${key}`, { path: `tor.${key}` });
    if (key === 'seeds') continue;
    const value = input[key];
    try {
      if (typeof spec.format === 'function' && spec.format !== Boolean) spec.format(value);
      else if (typeof value !== 'boolean') throw new Error('must be true or false');
    } catch (err) {
      throw new ConfigError(`tor.${key}: ${(err as Error).message}`, { path: `tor.${key}` });
    }
    out[key] = value;
  }
  const seeds: Record<string, readonly string[]> = { ...DEFAULT_TOR_CONFIG.seeds };
  const rawSeeds = (input.seeds ?? {}) as Record<string, unknown>;
  for (const network of Object.keys(rawSeeds)) {
    if (!(network in seeds)) throw new ConfigError(`unknown network tor.seeds.${network}`, { path: `tor.seeds.${network}` });
    try {
      seedList(rawSeeds[network]);
    } catch (err) {
      throw new ConfigError(`tor.seeds.${network}: ${(err as Error).message}`, { path: `tor.seeds.${network}` });
    }
    seeds[network] = (rawSeeds[network] as string[]).map((s) => codec.format(codec.parse(s)));
  }
  out.seeds = seeds;
  out.control = out.control === null ? null : parseControlEndpoint(out.control);
  if ((out.retryMaxMs as number) < (out.retryInitialMs as number)) {
    throw new ConfigError('tor.retryMaxMs must not be below tor.retryInitialMs', { path: 'tor.retryMaxMs' });
  }
  return out as unknown as TorPluginConfig;
}
