import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SocksClient } from 'socks';
import type { HostPort } from '../../config/host-port';
import { UpstreamError } from './upstream-error';

/** Opens a byte stream to the upstream's HOST:PORT; rejects when `signal` fires first. */
export type StreamDialer = (host: string, port: number, signal: AbortSignal) => Promise<Duplex>;

/** A clearnet upstream without a proxy: a plain TCP connection. */
export const directDialer: StreamDialer = (host, port, signal) =>
  new Promise((resolve, reject) => {
    // No Nagle delay: wallet calls are small request/answer pairs.
    const socket: Socket = connect({ host, port, noDelay: true });
    const fail = (error: Error): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(new UpstreamError('connect-timeout', 'the upstream daemon did not accept the connection in time'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (error) => fail(new UpstreamError('connect', `cannot connect to the upstream daemon: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });

/**
 * `--bootstrap-daemon-proxy IP:PORT`: through a SOCKS5 proxy, which resolves the host name
 * itself (no local DNS lookup of the upstream's name). The proxy handshake has the connect timeout.
 */
export function socksDialer(proxy: HostPort, timeoutMs: number): StreamDialer {
  return async (host, port, signal) => {
    let socket: Socket;
    try {
      ({ socket } = await SocksClient.createConnection({ proxy: { host: proxy.host, port: proxy.port, type: 5 }, destination: { host, port }, command: 'connect', timeout: timeoutMs }));
    } catch (error) {
      throw new UpstreamError('connect', `cannot reach the upstream daemon through the SOCKS proxy: ${(error as Error).message}`);
    }
    if (signal.aborted) {
      socket.destroy();
      throw new UpstreamError('connect-timeout', 'the upstream daemon did not accept the connection in time');
    }
    return socket;
  };
}

/** Opens a stream to an address through the zone whose codec claims it (Node.parseAddress, then Node.openConnection). */
export type ZoneStreamOpener = (address: string, options: { signal: AbortSignal }) => Promise<Duplex>;

/**
 * An onion or b32 upstream: through that zone's own transport (its proxy and stream isolation),
 * never through the clearnet.
 */
export function zoneDialer(openStream: ZoneStreamOpener): StreamDialer {
  return async (host, port, signal) => {
    try {
      return socketLike(await openStream(`${host}:${port}`, { signal }));
    } catch (error) {
      if (signal.aborted) throw new UpstreamError('connect-timeout', 'the upstream daemon did not accept the connection in time');
      throw new UpstreamError('connect', `cannot reach the upstream daemon through its zone: ${(error as Error).message}`);
    }
  };
}

/**
 * Node's HTTP client drives its connection as a net.Socket (idle timeout, no-delay, keep-alive);
 * a zone transport may hand back another Duplex. This gives such a stream those methods: an
 * idle timer re-armed by every chunk read or written, and no-ops for the TCP options.
 */
export function socketLike(stream: Duplex): Duplex {
  const target = stream as Duplex & Partial<Pick<Socket, 'setTimeout' | 'setNoDelay' | 'setKeepAlive' | 'ref' | 'unref'>>;
  if (typeof target.setTimeout === 'function') return stream;
  let idleMs = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = idleMs > 0 ? setTimeout(() => stream.emit('timeout'), idleMs).unref() : undefined;
  };
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]) => {
    arm();
    return write(...args);
  }) as Duplex['write'];
  stream.prependListener('data', arm);
  stream.once('close', () => timer !== undefined && clearTimeout(timer));
  Object.assign(target, {
    setTimeout(ms: number, callback?: () => void) {
      idleMs = ms;
      if (callback !== undefined) stream.once('timeout', callback);
      arm();
      return stream;
    },
    setNoDelay: () => stream,
    setKeepAlive: () => stream,
    ref: () => stream,
    unref: () => stream,
  });
  return stream;
}
