import { isIP } from 'node:net';
import { ConfigError } from '../errors';

export type SocksVersion = 4 | 5;

/** SOCKS username/password (RFC 1929). Each part 1..255 bytes. */
export interface SocksCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * A SOCKS proxy endpoint parsed from `[socks4a://|socks5://][user:pass@]host:port`.
 * The credentials live in a private field: they never appear in JSON, in util.inspect output, in
 * logs or in error context; `toString()` gives a redacted form safe to log.
 */
export class SocksProxy {
  readonly #credentials: SocksCredentials | undefined;

  constructor(
    readonly version: SocksVersion,
    /** IPv4 or IPv6 literal (never a name: reaching the proxy must need no DNS). */
    readonly host: string,
    readonly port: number,
    credentials?: SocksCredentials,
  ) {
    if (credentials !== undefined && version !== 5) {
      throw new ConfigError('SOCKS4a cannot carry a username and password; use socks5://', { proxy: this.toString() });
    }
    this.#credentials = credentials;
  }

  /** Fixed credentials configured for the proxy (for proxies that require auth). */
  get credentials(): SocksCredentials | undefined {
    return this.#credentials;
  }

  get hasCredentials(): boolean {
    return this.#credentials !== undefined;
  }

  /** Redacted URI: credentials replaced by `***`. */
  toString(): string {
    const scheme = this.version === 5 ? 'socks5' : 'socks4a';
    const host = isIP(this.host) === 6 ? `[${this.host}]` : this.host;
    return `${scheme}://${this.#credentials ? '***@' : ''}${host}:${this.port}`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SocksProxy(${this.toString()})`;
  }
}

/**
 * monerod's schemes: `socks://` and `socks4a://` mean SOCKS4a, `socks4://` SOCKS4 — which for
 * host names is the 4a form anyway, so all three map to 4. No scheme means SOCKS5 here (it
 * carries isolation credentials); monerod 0.18 users who need 4a write `socks4a://`.
 */
const SCHEMES: Record<string, SocksVersion> = { socks5: 5, socks5h: 5, socks4a: 4, socks4: 4, socks: 4 };

/**
 * Parses a proxy URI. `path` names the config key for error messages. The host must be an IP
 * literal (`127.0.0.1`, `[::1]`); names are refused so that reaching the proxy never needs DNS.
 * User and password are percent-decoded and only allowed with SOCKS5. The error never quotes
 * the credentials.
 */
export function parseSocksProxy(text: string, path = 'proxy'): SocksProxy {
  const fail = (reason: string): never => {
    throw new ConfigError(`invalid SOCKS proxy ${JSON.stringify(redactProxyText(text))} at ${path}: ${reason}`, {
      path,
      proxy: redactProxyText(text),
      reason,
    });
  };
  if (typeof text !== 'string' || text.trim() === '') fail('empty');
  let rest = text.trim();
  let version: SocksVersion = 5;
  const schemeMatch = /^([A-Za-z0-9]+):\/\//.exec(rest);
  if (schemeMatch) {
    const scheme = schemeMatch[1].toLowerCase();
    const v = SCHEMES[scheme];
    if (v === undefined) {
      fail(`unsupported scheme ${scheme}:// (use socks4a:// or socks5://)`);
    }
    version = v;
    rest = rest.slice(schemeMatch[0].length);
  }
  let credentials: SocksCredentials | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userInfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    // `user@` alone is allowed (monerod's grammar): the password is then empty.
    const colon = userInfo.indexOf(':');
    let username = '';
    let password = '';
    try {
      username = decodeURIComponent(colon < 0 ? userInfo : userInfo.slice(0, colon));
      password = colon < 0 ? '' : decodeURIComponent(userInfo.slice(colon + 1));
    } catch {
      fail('bad percent-encoding in the credentials');
    }
    if (version !== 5) fail('SOCKS4a cannot carry a username and password; use socks5://');
    if (Buffer.byteLength(username, 'utf8') < 1 || Buffer.byteLength(username, 'utf8') > 255) fail('user name must be 1..255 bytes');
    if (Buffer.byteLength(password, 'utf8') > 255) fail('password must be at most 255 bytes');
    credentials = { username, password };
  }
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (v6) {
    host = v6[1];
    portText = v6[2];
    if (isIP(host) !== 6) fail(`${JSON.stringify(host)} is not an IPv6 address`);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) fail('missing :port');
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (isIP(host) === 6) fail('IPv6 addresses must be written in brackets: [IPV6]:PORT');
    if (isIP(host) !== 4) {
      fail(`proxy host ${JSON.stringify(host)} must be an IPv4 address or [IPv6] literal (no DNS names)`);
    }
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    fail(`port ${JSON.stringify(portText)} must be 1..65535`);
  }
  return new SocksProxy(version, host, Number(portText), credentials);
}

/** Removes `user:pass@` from proxy text so that even unparsable input can be quoted in errors. */
export function redactProxyText(text: string): string {
  if (typeof text !== 'string') return String(text);
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const scheme = /^([A-Za-z0-9]+:\/\/)/.exec(text)?.[1] ?? '';
  return `${scheme}***@${text.slice(at + 1)}`;
}
