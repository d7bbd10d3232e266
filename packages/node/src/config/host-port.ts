import { isIP } from 'node:net';
import { ConfigError, parseSocksProxy } from '@veilnode/plugin-api';

/** `host:port` as config and flags write it. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Why a text is not a valid value, or undefined when it is. Shared by formats, flags and zone checks. */
export type Rule = (value: string) => string | undefined;

const PORT_TEXT = /^\d{1,5}$/;

/** A port written in decimal, 0..65535 (0 = let the OS choose, for binds). */
export function parsePort(text: string): number | undefined {
  if (!PORT_TEXT.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/**
 * `IPV4:PORT` or `[IPV6]:PORT` with a literal IP (veilnode never resolves names for binds and
 * proxies: a DNS lookup would leak on anonymity zones). Returns the parsed value or the reason.
 */
export function parseIpPort(text: string): HostPort | string {
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(text);
  const [host, portText] = bracketed ? [bracketed[1], bracketed[2]] : splitLastColon(text);
  if (host === undefined || portText === undefined) return 'expected IP:PORT ([IPV6]:PORT for IPv6)';
  const family = isIP(host);
  if (family === 0) return `${JSON.stringify(host)} is not a literal IPv4 or IPv6 address`;
  if (family === 6 && !bracketed) return 'IPv6 addresses must be written in brackets: [IPV6]:PORT';
  const port = parsePort(portText);
  if (port === undefined) return `port ${JSON.stringify(portText)} is not an integer in 0..65535`;
  return { host, port };
}

function splitLastColon(text: string): [string | undefined, string | undefined] {
  const i = text.lastIndexOf(':');
  if (i <= 0) return [undefined, undefined];
  return [text.slice(0, i), text.slice(i + 1)];
}

/** Rule: a literal IP address (bind addresses). */
export const ipRule: Rule = (value) => (isIP(value) === 0 ? 'must be a literal IPv4 or IPv6 address' : undefined);

/** Rule: `IP:PORT` with a non-zero port (something we connect to). */
export const endpointRule: Rule = (value) => {
  const parsed = parseIpPort(value);
  if (typeof parsed === 'string') return parsed;
  return parsed.port === 0 ? 'port must not be 0' : undefined;
};

/** Rule: `IP:PORT`, port 0 allowed (something we bind). */
export const bindRule: Rule = (value) => {
  const parsed = parseIpPort(value);
  return typeof parsed === 'string' ? parsed : undefined;
};

/**
 * Rule: a SOCKS proxy, `[socks4a|socks5://][user[:pass]@]IP:PORT` (monerod 0.18.5's grammar;
 * credentials only with socks5, since SOCKS4a has no password). The plugin API's parser is the
 * one grammar: what passes here is what zone settings hand transports, parsed, as a SocksProxy.
 */
export const proxyRule: Rule = (value) => {
  try {
    parseSocksProxy(value);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return String(error.context.reason);
    throw error;
  }
};

/** Rule: RPC login `user:pass` (both non-empty). */
export const loginRule: Rule = (value) => (/^[^:]+:.+$/.test(value) ? undefined : 'must be USER:PASSWORD');

/** Positive decimal integer (monerod's max_connections grammar: 0 is an error). */
export function parsePositiveInt(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 && Number.isSafeInteger(n) ? n : undefined;
}
