import { ConfigError } from '@veilnode/plugin-api';
import { parseHostPort } from '@veilnode/i2p-zone';

export const PLUGIN_NAME = 'i2p-sam';

export interface TunnelSettings {
  readonly inboundLength: number;
  readonly outboundLength: number;
  readonly inboundQuantity: number;
  readonly outboundQuantity: number;
}

export interface SamTransportConfig {
  /** The SAM v3 bridge. */
  readonly sam: { readonly host: string; readonly port: number };
  /** `transient`: a new destination per outbound connection (unlinkable); `persistent`: dial from our inbound destination. */
  readonly outbound: 'transient' | 'persistent';
  /** I2CP tunnel settings of the persistent (inbound) session. */
  readonly tunnels: TunnelSettings;
  /** I2CP tunnel settings of each transient outbound session. */
  readonly transientTunnels: TunnelSettings;
  /** Deadline for SESSION CREATE (≥ 20 s on i2pd 2.45.1, more while tunnels build). */
  readonly sessionTimeoutMs: number;
  /** Default dial deadline; a transient dial includes its SESSION CREATE. */
  readonly dialTimeoutMs: number;
}

const tunnelSchema = (quantity: number) => ({
  inboundLength: { doc: 'hops of inbound tunnels (1..7)', format: 'nat', default: 3 },
  outboundLength: { doc: 'hops of outbound tunnels (1..7)', format: 'nat', default: 3 },
  inboundQuantity: { doc: 'number of inbound tunnels (1..16)', format: 'nat', default: quantity },
  outboundQuantity: { doc: 'number of outbound tunnels (1..16)', format: 'nat', default: quantity },
});

/** convict fragment mounted under `i2p-sam` (defaults follow Bitcoin Core: 3 tunnels persistent, 1 transient). */
export const samConfigSchema = {
  sam: { doc: 'SAM v3 bridge host:port (Bitcoin Core: -i2psam)', format: String, default: '127.0.0.1:7656' },
  outbound: { doc: 'transient: new destination per outbound connection; persistent: reuse the inbound one', format: ['transient', 'persistent'], default: 'transient' },
  tunnels: tunnelSchema(3),
  transientTunnels: tunnelSchema(1),
  sessionTimeoutMs: { doc: 'SESSION CREATE deadline in ms', format: 'nat', default: 180_000 },
  dialTimeoutMs: { doc: 'default dial deadline in ms (includes SESSION CREATE when transient)', format: 'nat', default: 240_000 },
};

export const DEFAULT_SAM_CONFIG: SamTransportConfig = Object.freeze({
  sam: { host: '127.0.0.1', port: 7656 },
  outbound: 'transient',
  tunnels: { inboundLength: 3, outboundLength: 3, inboundQuantity: 3, outboundQuantity: 3 },
  transientTunnels: { inboundLength: 3, outboundLength: 3, inboundQuantity: 1, outboundQuantity: 1 },
  sessionTimeoutMs: 180_000,
  dialTimeoutMs: 240_000,
});

/** Validates the plugin's settings (whatever convict left us) into a SamTransportConfig; throws ConfigError. */
export function parseSamConfig(raw: unknown): SamTransportConfig {
  const input = (raw ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object') throw new ConfigError('i2p-sam settings must be an object', { path: PLUGIN_NAME });
  const d = DEFAULT_SAM_CONFIG;
  const outbound = input.outbound ?? d.outbound;
  if (outbound !== 'transient' && outbound !== 'persistent') {
    throw new ConfigError(`${PLUGIN_NAME}.outbound must be "transient" or "persistent", got ${JSON.stringify(outbound)}`, { path: `${PLUGIN_NAME}.outbound` });
  }
  return Object.freeze({
    sam: parseHostPort(input.sam ?? `${d.sam.host}:${d.sam.port}`, `${PLUGIN_NAME}.sam`),
    outbound,
    tunnels: parseTunnels(input.tunnels, d.tunnels, `${PLUGIN_NAME}.tunnels`),
    transientTunnels: parseTunnels(input.transientTunnels, d.transientTunnels, `${PLUGIN_NAME}.transientTunnels`),
    sessionTimeoutMs: intIn(input.sessionTimeoutMs ?? d.sessionTimeoutMs, 1000, 600_000, `${PLUGIN_NAME}.sessionTimeoutMs`),
    dialTimeoutMs: intIn(input.dialTimeoutMs ?? d.dialTimeoutMs, 1000, 900_000, `${PLUGIN_NAME}.dialTimeoutMs`),
  });
}

/** I2CP options for SESSION CREATE; ECIES-X25519 lease sets with ElGamal fallback, as Bitcoin Core. */
export function i2cpOptions(t: TunnelSettings): Record<string, string> {
  return {
    'inbound.length': String(t.inboundLength),
    'outbound.length': String(t.outboundLength),
    'inbound.quantity': String(t.inboundQuantity),
    'outbound.quantity': String(t.outboundQuantity),
    'i2cp.leaseSetEncType': '4,0',
  };
}

function parseTunnels(raw: unknown, defaults: TunnelSettings, path: string): TunnelSettings {
  const t = (raw ?? {}) as Record<string, unknown>;
  // 0-hop tunnels would expose our router as the endpoint: not allowed
  return Object.freeze({
    inboundLength: intIn(t.inboundLength ?? defaults.inboundLength, 1, 7, `${path}.inboundLength`),
    outboundLength: intIn(t.outboundLength ?? defaults.outboundLength, 1, 7, `${path}.outboundLength`),
    inboundQuantity: intIn(t.inboundQuantity ?? defaults.inboundQuantity, 1, 16, `${path}.inboundQuantity`),
    outboundQuantity: intIn(t.outboundQuantity ?? defaults.outboundQuantity, 1, 16, `${path}.outboundQuantity`),
  });
}

function intIn(value: unknown, min: number, max: number, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${path} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`, { path });
  }
  return value;
}
