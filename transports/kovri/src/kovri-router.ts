import { ConfigError, parsePort, type InvalidAddressError } from '@veilnode/plugin-api';

export interface KovriRouter {
  readonly host: string;
  readonly port: number;
}

/**
 * The `kovri.router` setting: `host:port` of a Kovri router, or null. Also the convict `format`
 * of that setting, so a bad value stops the node at config validation, naming the key.
 */
export function parseKovriRouter(value: unknown): KovriRouter | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon);
  if (typeof value !== 'string' || colon < 1 || !/^[A-Za-z0-9.-]+$/.test(host)) {
    throw new ConfigError(`expected HOST:PORT, got ${JSON.stringify(text)}`, { path: 'kovri.router' });
  }
  try {
    return { host, port: parsePort(text, text.slice(colon + 1)) };
  } catch (err) {
    throw new ConfigError((err as InvalidAddressError).context.reason as string, { path: 'kovri.router' }, { cause: err });
  }
}
