import { ConfigError } from '@veilnode/plugin-api';

/**
 * Parses a config value `host:port` or `[v6]:port` (SAM bridge, inbound bind); throws ConfigError
 * naming `path`. Port 0 (ephemeral) only for binds.
 */
export function parseHostPort(value: unknown, path: string, { allowPortZero = false } = {}): { host: string; port: number } {
  const match = typeof value === 'string' ? /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value.trim()) : null;
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < (allowPortZero ? 0 : 1) || port > 65535) {
    throw new ConfigError(`${path} must be host:port (e.g. 127.0.0.1:7656), got ${JSON.stringify(value)}`, { path });
  }
  return { host: match[1] ?? match[2], port };
}
