import { ConfigError, SocksProxy } from '@veilnode/plugin-api';

export const PLUGIN_NAME = 'i2p-socks';
/** i2pd's and Java I2P's usual SOCKS port; the zone's `proxy` (`--tx-proxy i2p,...`) overrides it. */
export const DEFAULT_I2P_PROXY = new SocksProxy(4, '127.0.0.1', 4447);

export interface I2pSocksConfig {
  /** Deadline of one SOCKS dial: an I2P lease-set lookup alone can take tens of seconds. */
  readonly dialTimeoutMs: number;
}

/** convict fragment mounted under `i2p-socks`. */
export const i2pSocksConfigSchema = {
  dialTimeoutMs: { doc: 'deadline of one dial through the I2P SOCKS proxy, ms', format: 'nat', default: 90_000 },
};

export function parseI2pSocksConfig(raw: unknown): I2pSocksConfig {
  const input = (raw ?? {}) as Record<string, unknown>;
  const dialTimeoutMs = input.dialTimeoutMs ?? 90_000;
  if (typeof dialTimeoutMs !== 'number' || !Number.isInteger(dialTimeoutMs) || dialTimeoutMs < 1000 || dialTimeoutMs > 900_000) {
    throw new ConfigError(`${PLUGIN_NAME}.dialTimeoutMs must be an integer in 1000..900000, got ${JSON.stringify(dialTimeoutMs)}`, { path: `${PLUGIN_NAME}.dialTimeoutMs` });
  }
  return Object.freeze({ dialTimeoutMs });
}
