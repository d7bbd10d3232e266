import { isIP } from 'node:net';
import { ConfigError, type ListenBind } from '@veilnode/plugin-api';

/**
 * `zones.<zone>.inbound.bind` as core hands it over (already checked by core's config rules):
 * `IPV4:PORT` or `[IPV6]:PORT`, port 0 = ephemeral. Parsed here once so the transport holds a
 * typed bind; a text core would not have passed still gets a ConfigError naming the key.
 */
export function parseInboundBind(text: string, path: string): ListenBind {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  const family = host === undefined ? 0 : isIP(host);
  if (family === 0 || (family === 6 && match?.[1] === undefined) || port > 65535) {
    throw new ConfigError(`${path} ${JSON.stringify(text)} must be IPV4:PORT or [IPV6]:PORT`, { path });
  }
  return { host: host as string, port };
}
