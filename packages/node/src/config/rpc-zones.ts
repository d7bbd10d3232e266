import { parseIpPort } from './host-port';
import { ZONE_NAME_PATTERN } from './zone-settings';

/** `rpc.zones.<zone>` as written: the hidden-service RPC of an anonymity zone. */
export interface RawRpcZoneListener {
  /** Our address in that zone (`x.onion:18089`, `y.b32.i2p:18089`) that the Tor/I2P daemon forwards. */
  readonly address: string;
  /** Local `IP:PORT` the forwarded connections arrive at. */
  readonly bind: string;
}

/** A validated hidden-service RPC listener. */
export interface RpcZoneListener {
  readonly zone: string;
  readonly address: string;
  readonly bindIp: string;
  readonly bindPort: number;
}

/** Every problem in `rpc.zones`, each prefixed with its path; empty when valid. */
export function rpcZoneProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['rpc.zones: must be an object of {address, bind} by zone name'];
  const problems: string[] = [];
  for (const [zone, entry] of Object.entries(value)) {
    const path = `rpc.zones.${zone}`;
    if (!ZONE_NAME_PATTERN.test(zone)) problems.push(`${path}: zone names are lower-case letters, digits and -`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${path}: must be {address, bind}`);
      continue;
    }
    const fields = entry as Record<string, unknown>;
    for (const key of Object.keys(fields)) if (key !== 'address' && key !== 'bind') problems.push(`${path}.${key}: unknown key (known: address, bind)`);
    if (typeof fields.address !== 'string' || fields.address.length === 0) problems.push(`${path}.address: must be our address in zone ${zone}`);
    const bind = typeof fields.bind === 'string' ? parseIpPort(fields.bind) : 'must be IP:PORT';
    if (typeof bind === 'string') problems.push(`${path}.bind: ${bind}`);
  }
  return problems;
}

/** The listeners of a valid `rpc.zones` (checked by the config schema). */
export function rpcZoneListeners(value: Readonly<Record<string, RawRpcZoneListener>>): RpcZoneListener[] {
  return Object.entries(value).map(([zone, entry]) => {
    const bind = parseIpPort(entry.bind);
    if (typeof bind === 'string') throw new Error(`rpc.zones.${zone}.bind: ${bind}`); // unreachable after schema validation
    return { zone, address: entry.address, bindIp: bind.host, bindPort: bind.port };
  });
}
