import { bindRule, parseIpPort, proxyRule, type HostPort, type Rule } from './host-port';
import { ConfigError, parseSocksProxy, type ZoneConfig, type ZonePolicy } from '@veilnode/plugin-api';

/** A `zones.<name>` entry as written in config: every field optional, checked by validateZoneEntries. */
export interface RawZoneSettings {
  readonly enabled?: boolean;
  readonly transport?: string;
  readonly proxy?: string | null;
  readonly maxOutbound?: number;
  readonly maxInbound?: number;
  readonly maxConnectionsPerIp?: number;
  readonly noise?: boolean;
  readonly inbound?: { readonly address: string; readonly bind: string; readonly max?: number } | null;
  readonly peers?: readonly string[];
  readonly exclusivePeers?: readonly string[];
  readonly seeds?: readonly string[];
}

/** monerod's P2P_DEFAULT_CONNECTIONS_COUNT, used when no zone policy says otherwise. */
export const DEFAULT_MAX_OUTBOUND = 12;
export const DEFAULT_MAX_INBOUND = 64;
/** monerod's `--max-connections-per-ip` default, for zones that are not anonymity zones. */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 1;

export const ZONE_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

type FieldCheck = (value: unknown, path: string) => string[];

const isBool: FieldCheck = (v, p) => (typeof v === 'boolean' ? [] : [`${p}: must be true or false`]);
const isName: FieldCheck = (v, p) =>
  typeof v === 'string' && ZONE_NAME_PATTERN.test(v) ? [] : [`${p}: must be a transport name (lower-case letters, digits, -)`];
const isCount = (min: number): FieldCheck => (v, p) =>
  Number.isSafeInteger(v) && (v as number) >= min ? [] : [`${p}: must be an integer >= ${min}`];
const matches = (rule: Rule, nullable: boolean): FieldCheck => (v, p) => {
  if (v === null && nullable) return [];
  if (typeof v !== 'string') return [`${p}: must be a string${nullable ? ' or null' : ''}`];
  const problem = rule(v);
  return problem === undefined ? [] : [`${p}: ${problem}`];
};
const isStringList: FieldCheck = (v, p) => {
  if (!Array.isArray(v)) return [`${p}: must be an array of addresses`];
  return v.flatMap((item, i) => (typeof item === 'string' && item.length > 0 ? [] : [`${p}[${i}]: must be a non-empty string`]));
};
const isInbound: FieldCheck = (v, p) => {
  if (v === null) return [];
  if (typeof v !== 'object' || Array.isArray(v)) return [`${p}: must be {address, bind, max?} or null`];
  const entry = v as Record<string, unknown>;
  const problems = unknownKeys(entry, ['address', 'bind', 'max'], p);
  if (typeof entry.address !== 'string' || entry.address.length === 0) problems.push(`${p}.address: must be our address in this zone`);
  problems.push(...matches(bindRule, false)(entry.bind, `${p}.bind`));
  if (entry.max !== undefined) problems.push(...isCount(1)(entry.max, `${p}.max`));
  return problems;
};

const FIELDS: Record<keyof RawZoneSettings, FieldCheck> = {
  enabled: isBool,
  transport: isName,
  proxy: matches(proxyRule, true),
  maxOutbound: isCount(0),
  maxInbound: isCount(0),
  maxConnectionsPerIp: isCount(1),
  noise: isBool,
  inbound: isInbound,
  peers: isStringList,
  exclusivePeers: isStringList,
  seeds: isStringList,
};

function unknownKeys(entry: Record<string, unknown>, known: readonly string[], path: string): string[] {
  return Object.keys(entry)
    .filter((k) => !known.includes(k))
    .map((k) => `${path}.${k}: unknown key (known: ${known.join(', ')})`);
}

/** Every problem in the `zones` object, each prefixed with its path. Empty when valid. */
export function validateZoneEntries(zones: unknown): string[] {
  if (typeof zones !== 'object' || zones === null || Array.isArray(zones)) return ['zones: must be an object of zone settings'];
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(zones)) {
    const path = `zones.${name}`;
    if (!ZONE_NAME_PATTERN.test(name)) problems.push(`${path}: zone names are lower-case letters, digits and -`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${path}: must be an object`);
      continue;
    }
    const fields = entry as Record<string, unknown>;
    problems.push(...unknownKeys(fields, Object.keys(FIELDS), path));
    for (const [key, check] of Object.entries(FIELDS)) {
      if (fields[key] !== undefined) problems.push(...check(fields[key], `${path}.${key}`));
    }
  }
  return problems;
}

/** Where the public zone listens: core owns p2p.bindIp/bindPort (monerod's --p2p-bind-*). */
export interface PublicBind {
  readonly bindIp: string;
  readonly bindPort: number;
}

/**
 * The ZoneConfig transports and core see. Missing fields come from the zone's policy (or
 * monerod's defaults when no policy is known yet). A zone entry that exists is enabled unless it
 * says `enabled: false`; the transport defaults to the transport named like the zone. The
 * public zone's `inbound` defaults to the p2p bind address.
 */
export function resolveZoneConfig(
  name: string,
  raw: RawZoneSettings,
  policy: ZonePolicy | undefined,
  publicBind: PublicBind,
  /** The zone definition's built-in seeds for this network; `zones.<name>.seeds` replaces them. */
  defaultSeeds: readonly string[] = [],
): ZoneConfig {
  const maxInbound = raw.maxInbound ?? policy?.defaultMaxInbound ?? DEFAULT_MAX_INBOUND;
  const publicZone = policy !== undefined && !policy.anonymity;
  const publicAddress = publicBind.bindIp.includes(':') ? `[${publicBind.bindIp}]:${publicBind.bindPort}` : `${publicBind.bindIp}:${publicBind.bindPort}`;
  const inbound =
    raw.inbound != null
      ? { address: raw.inbound.address, bind: parsedBind(raw.inbound.bind, `zones.${name}.inbound.bind`), max: raw.inbound.max ?? maxInbound }
      : publicZone
        ? { address: publicAddress, bind: Object.freeze({ host: publicBind.bindIp, port: publicBind.bindPort }), max: maxInbound }
        : null;
  return Object.freeze({
    name,
    enabled: raw.enabled ?? true,
    transport: raw.transport ?? name,
    proxy: raw.proxy == null ? null : parseSocksProxy(raw.proxy, `zones.${name}.proxy`),
    maxOutbound: raw.maxOutbound ?? policy?.defaultMaxOutbound ?? DEFAULT_MAX_OUTBOUND,
    maxInbound,
    // anonymity zones: every inbound peer comes from the local daemon's address (see ZoneConfig)
    ...(publicZone ? { maxConnectionsPerIp: raw.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP } : {}),
    noise: raw.noise ?? policy?.noiseByDefault ?? false,
    inbound,
    peers: Object.freeze([...(raw.peers ?? [])]),
    exclusivePeers: Object.freeze([...(raw.exclusivePeers ?? [])]),
    seeds: Object.freeze([...(raw.seeds ?? defaultSeeds)]),
  });
}

/** A bind validateZoneEntries accepted, as `{host, port}`; a text it would refuse throws naming the key. */
function parsedBind(text: string, path: string): HostPort {
  const parsed = parseIpPort(text);
  if (typeof parsed === 'string') throw new ConfigError(`${path}: ${parsed}`, { path });
  return Object.freeze(parsed);
}
