import { randomBytes } from 'node:crypto';
import { isIP, Socket } from 'node:net';
import { SocksClient, type SocksClientOptions } from 'socks';
import type { Duplex } from 'node:stream';
import type { Dialer, DialTarget } from '../dialer';
import { AbortedError, DialError, TimeoutError } from '../errors';
import type { Logger } from '../logger';
import { socks4ReplyError, socks5ReplyError, SocksError, SocksErrorCode } from './socks-errors';
import { parseSocksProxy, type SocksCredentials, type SocksProxy } from './socks-proxy';

/** monerod bounds a whole SOCKS exchange by 45 s; so do we by default. */
export const DEFAULT_SOCKS_TIMEOUT_MS = 45_000;

export interface SocksDialerOptions {
  /** The proxy, parsed or as URI text (`[socks4a://|socks5://][user:pass@]ip:port`). */
  readonly proxy: SocksProxy | string;
  /**
   * Stream isolation: fresh random credentials on every connection (SOCKS5 user = password, or
   * the SOCKS4a user id), so Tor's IsolateSOCKSAuth puts each connection on its own circuit.
   * Default true. Ignored when the proxy has fixed credentials configured.
   */
  readonly isolation?: boolean;
  /** Deadline for TCP connect + SOCKS negotiation, ms. Default 45 000. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

export interface SocksDialOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Fresh random credentials on this connection even without `isolation` (a private-broadcast carrier). */
  readonly freshCredentials?: boolean;
}

/**
 * Opens TCP streams through a SOCKS4a/SOCKS5 proxy (the `socks` package does the protocol).
 * Host names (`.onion`, `.b32.i2p`, DNS names) always go to the proxy as names — SOCKS5 ATYP 3
 * or the SOCKS4a name form — and the proxy itself must be an IP literal, so dialing never
 * performs a local DNS lookup. Failures are SocksError/TimeoutError/AbortedError that carry no
 * credentials.
 */
export class SocksDialer implements Dialer {
  readonly proxy: SocksProxy;
  readonly isolation: boolean;
  readonly timeoutMs: number;
  private readonly logger?: Logger;

  constructor(options: SocksDialerOptions) {
    this.proxy = typeof options.proxy === 'string' ? parseSocksProxy(options.proxy) : options.proxy;
    this.isolation = options.isolation ?? true;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SOCKS_TIMEOUT_MS;
    this.logger = options.logger;
  }

  /** Connects to `host:port` through the proxy; resolves with the open socket. */
  async dial(host: string, port: number, options: SocksDialOptions = {}): Promise<Socket> {
    const proxyText = this.proxy.toString();
    const target = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    validateTarget(host, port, this.proxy.version, target, proxyText);
    const { signal } = options;
    if (signal?.aborted) throw new AbortedError(`dial ${target}`, { proxy: proxyText });
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    if (options.freshCredentials === true && this.proxy.credentials) {
      throw new SocksError(SocksErrorCode.ProxyProtocolError, `a fresh circuit needs fresh SOCKS credentials, and ${proxyText} has fixed ones`, { proxy: proxyText, target });
    }
    const credentials = this.credentialsForNextConnection(options.freshCredentials === true);

    // Half-open allowed: the caller decides when its side ends (a peer's FIN only ends reading).
    const socket = new Socket({ allowHalfOpen: true });
    const received: Buffer[] = [];
    let receivedBytes = 0;
    // Keep the proxy's replies (a few bytes) to read the exact reply code: the socks package
    // reports only a name and does not know Tor's extended codes.
    const tap = (chunk: Buffer): void => {
      if (receivedBytes < 512) received.push(chunk);
      receivedBytes += chunk.length;
    };
    let outcome: 'timeout' | 'aborted' | undefined;
    let failLater: ((err: Error) => void) | undefined;
    const stop = (why: 'timeout' | 'aborted'): void => {
      if (outcome) return;
      outcome = why;
      socket.destroy();
      failLater?.(why === 'timeout' ? new TimeoutError(`SOCKS dial to ${target}`, timeoutMs, { proxy: proxyText }) : new AbortedError(`dial ${target}`, { proxy: proxyText }));
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = (): void => stop('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    const interrupted = new Promise<never>((_, reject) => {
      failLater = reject;
    });
    interrupted.catch(() => undefined);
    try {
      await Promise.race([connectToProxy(socket, this.proxy, proxyText, target), interrupted]);
      socket.on('data', tap);
      const clientOptions: SocksClientOptions = {
        command: 'connect',
        destination: { host, port },
        proxy: {
          host: this.proxy.host,
          port: this.proxy.port,
          type: this.proxy.version,
          ...(credentials ? { userId: credentials.username, password: credentials.password } : {}),
        },
        existing_socket: socket,
        // our own deadline fires first; this only keeps the library from waiting forever
        timeout: timeoutMs + 5_000,
      };
      try {
        await Promise.race([SocksClient.createConnection(clientOptions), interrupted]);
      } catch (err) {
        if (outcome) throw err;
        // Deliberately drop the library error: its `options` hold the credentials.
        throw this.negotiationError(Buffer.concat(received), credentials !== undefined, host, target, proxyText);
      }
      socket.off('data', tap);
      await Promise.race([keepEarlyData(socket), interrupted]);
      // no target: through a proxy it is an anonymity zone's peer, and those never reach the logs
      this.logger?.debug({ proxy: proxyText, isolated: credentials !== undefined && !this.proxy.hasCredentials }, 'SOCKS connection established');
      return socket;
    } catch (err) {
      socket.destroy();
      if (err instanceof DialError || err instanceof TimeoutError || err instanceof AbortedError) throw err;
      throw new SocksError(SocksErrorCode.ProxyProtocolError, `SOCKS dial to ${target} via ${proxyText} failed`, { proxy: proxyText, target });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('data', tap);
    }
  }

  /**
   * The Dialer strategy (e.g. ClearnetTransport in all-traffic `--proxy` mode): the caller owns
   * the deadline, so an abort rejects with `signal.reason` as the Dialer contract asks.
   */
  async connect(target: DialTarget, signal: AbortSignal, options: { readonly freshCredentials?: boolean } = {}): Promise<Duplex> {
    try {
      return await this.dial(target.host, target.port, { signal, freshCredentials: options.freshCredentials });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw err;
    }
  }

  private credentialsForNextConnection(fresh: boolean): SocksCredentials | undefined {
    if (this.proxy.credentials) return this.proxy.credentials;
    if (!this.isolation && !fresh) return undefined;
    // Nothing secret: the credentials only have to differ between connections.
    const token = randomBytes(12).toString('hex');
    return { username: token, password: token };
  }

  /** Turns the proxy's reply bytes into the precise error. */
  private negotiationError(bytes: Buffer, offeredAuth: boolean, host: string, target: string, proxy: string): SocksError {
    const closed = (stage: string): SocksError =>
      new SocksError(SocksErrorCode.ProxyProtocolError, `${proxy} closed the connection or sent garbage during ${stage} (dialing ${target})`, {
        proxy,
        target,
        stage,
      });
    if (this.proxy.version === 4) {
      if (bytes.length < 2 || bytes[0] !== 0x00) return closed('the SOCKS4a request');
      return socks4ReplyError(bytes[1], proxy, target);
    }
    if (bytes.length < 2 || bytes[0] !== 0x05) return closed('the SOCKS5 greeting');
    let offset = 2;
    if (bytes[1] === 0xff || (bytes[1] === 0x02 && !offeredAuth) || (bytes[1] !== 0x00 && bytes[1] !== 0x02)) {
      return new SocksError(
        SocksErrorCode.ProxyAuthFailed,
        `${proxy} accepts none of our SOCKS5 authentication methods (${offeredAuth ? 'none, user/password' : 'none'})`,
        { proxy, target, method: bytes[1] },
      );
    }
    if (bytes[1] === 0x02) {
      if (bytes.length < 4) return closed('SOCKS5 authentication');
      if (bytes[3] !== 0x00) {
        return new SocksError(SocksErrorCode.ProxyAuthFailed, `${proxy} rejected our SOCKS5 user name/password`, { proxy, target });
      }
      offset = 4;
    }
    if (bytes.length < offset + 2 || bytes[offset] !== 0x05) return closed('the SOCKS5 CONNECT');
    const reply = bytes[offset + 1];
    if (reply === 0x00) return closed('the SOCKS5 CONNECT reply');
    return socks5ReplyError(reply, proxy, target, host.toLowerCase().endsWith('.onion'));
  }
}

function validateTarget(host: string, port: number, version: 4 | 5, target: string, proxy: string): void {
  const bad = (reason: string): never => {
    throw new SocksError(SocksErrorCode.AddressTypeNotSupported, `cannot dial ${JSON.stringify(target)} via ${proxy}: ${reason}`, {
      proxy,
      target,
      reason,
    });
  };
  if (!Number.isInteger(port) || port < 1 || port > 65535) bad('port must be 1..65535');
  if (typeof host !== 'string' || host.length === 0) bad('empty host');
  if (isIP(host) === 6 && version === 4) bad('SOCKS4a cannot carry IPv6 addresses; use socks5://');
  if (isIP(host) === 0 && (!/^[\x21-\x7e]+$/.test(host) || host.length > 255)) bad('host name must be 1..255 printable ASCII characters');
}

/** A lookup function for net.connect that refuses: the proxy is an IP literal, never a name. */
function refuseDnsLookup(hostname: string, _options: unknown, callback: (err: Error) => void): void {
  callback(new Error(`refusing to resolve ${JSON.stringify(hostname)} locally`));
}

function connectToProxy(socket: Socket, proxy: SocksProxy, proxyText: string, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.off('connect', onConnect);
      reject(
        new SocksError(SocksErrorCode.ProxyUnreachable, `SOCKS proxy ${proxyText} is unreachable (${err.code ?? err.message})`, {
          proxy: proxyText,
          target,
          errno: err.code,
        }),
      );
    };
    const onConnect = (): void => {
      socket.off('error', onError);
      resolve();
    };
    socket.once('error', onError);
    socket.once('connect', onConnect);
    socket.setNoDelay(true);
    socket.connect({ host: proxy.host, port: proxy.port, lookup: refuseDnsLookup as never });
  });
}

/**
 * The socks package re-emits bytes that arrived with the proxy's reply and resumes the socket
 * on the next tick; catch those bytes and hand the socket back paused-but-unflowing so the
 * caller's first 'data' listener (or pipe) gets everything.
 */
function keepEarlyData(socket: Socket): Promise<void> {
  const early: Buffer[] = [];
  const keep = (chunk: Buffer): void => {
    early.push(chunk);
  };
  socket.on('data', keep);
  return new Promise((resolve) => {
    setImmediate(() => {
      socket.off('data', keep);
      socket.pause();
      if (early.length > 0) socket.unshift(Buffer.concat(early));
      // back to the initial state: attaching a 'data' listener starts the flow again
      (socket as { readableFlowing: boolean | null }).readableFlowing = null;
      resolve();
    });
  });
}
