import { isIP } from 'node:net';

/** Where the upstream daemon is: `http(s)://HOST:PORT`, HOST an IP, a name, an onion or a b32 address. */
export interface UpstreamAddress {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  /** `tor` for .onion, `i2p` for .i2p, else `clearnet`. */
  readonly zone: string;
}

const DEFAULT_PORT = 18081;

/** monerod's `--bootstrap-daemon-address auto`: a public RPC node picked from the peers (AutoUpstream). */
export const AUTO_UPSTREAM = 'auto';

/** Why `text` is no --bootstrap-daemon-address value (`auto` or an address), or undefined when it is one. */
export function upstreamAddressProblem(text: string): string | undefined {
  if (text === AUTO_UPSTREAM) return undefined;
  const parsed = parseUpstreamAddress(text);
  return typeof parsed === 'string' ? parsed : undefined;
}

/**
 * Parses monerod's --bootstrap-daemon-address value (`HOST:PORT` or `http(s)://HOST[:PORT][/]`),
 * or returns why it is not one. monerod accepts a bare HOST:PORT as http.
 */
export function parseUpstreamAddress(text: string): UpstreamAddress | string {
  // `auto` is no host named auto (callers handle it first)
  if (text === AUTO_UPSTREAM) return 'auto picks a public node from the peers; it is no address';
  const match = /^(?:([a-z]+):\/\/)?(?:([^@/]*)@)?(\[[^\]]+\]|[^:/@[\]]+)(?::(\d{1,5}))?\/?$/i.exec(text);
  if (match === null) return 'expected HOST:PORT, http://HOST:PORT or https://HOST:PORT';
  const [, scheme = 'http', login, hostText, portText] = match;
  if (scheme !== 'http' && scheme !== 'https') return `scheme ${scheme} is not http or https`;
  if (login !== undefined) return 'put the login in --bootstrap-daemon-login, not in the address';
  const host = hostText.replace(/^\[(.*)\]$/, '$1');
  if (hostText.startsWith('[') && isIP(host) !== 6) return `${hostText} is not an IPv6 address`;
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (port < 1 || port > 65535) return `port ${portText} is not in 1..65535`;
  const lower = host.toLowerCase();
  const zone = isIP(host) !== 0 ? 'clearnet' : lower.endsWith('.onion') ? 'tor' : lower.endsWith('.i2p') ? 'i2p' : 'clearnet';
  return { tls: scheme === 'https', host, port, zone };
}

/** The address as text for logs and get_info (`bootstrap_daemon_address`). */
export function formatUpstreamAddress(address: UpstreamAddress): string {
  const host = isIP(address.host) === 6 ? `[${address.host}]` : address.host;
  return `${address.tls ? 'https' : 'http'}://${host}:${address.port}`;
}
