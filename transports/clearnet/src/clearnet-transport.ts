import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AbortedError, DialError, DialErrorCode, ListenError, TransportUnavailableError, ZONE_CLEARNET, dialWithDeadline, type DialOptions, type Dialer, type ListenBind, type ListenOptions, type Logger, type PeerAddress, type Transport, type TransportConnection } from '@veilnode/plugin-api';
import { DirectTcpDialer } from './direct-tcp-dialer';
import { IpAddressCodec } from './ip-address-codec';
import { joinHostPort } from './ip-literal';
import { listenErrorFromSocket } from './socket-errors';
import { TcpListener } from './tcp-listener';

export const CLEARNET_TRANSPORT = 'clearnet';
export const DEFAULT_DIAL_TIMEOUT_MS = 10_000;
/** Loopback and a free port: nothing is exposed unless the operator binds elsewhere. */
export const DEFAULT_LISTEN_BIND: ListenBind = Object.freeze({ host: '127.0.0.1', port: 0 });

export interface ClearnetTransportOptions {
  readonly logger: Logger;
  /** How connections are opened; direct TCP unless a proxy dialer is given. */
  readonly dialer?: Dialer;
  readonly dialTimeoutMs?: number;
  /** Where listen() binds when its options name no address (the zone's `inbound.bind`). */
  readonly bind?: ListenBind;
}

/**
 * TCP over IPv4/IPv6 for the clearnet zone. It owns every socket it dialed or accepted until
 * stop(), which destroys them all; a failed or aborted dial destroys its socket before
 * rejecting. Streams are the sockets themselves, so Node's backpressure (write() → false,
 * 'drain') reaches the peer's TCP window unchanged.
 */
export class ClearnetTransport implements Transport {
  readonly name = CLEARNET_TRANSPORT;
  readonly zone = ZONE_CLEARNET;
  readonly capabilities = Object.freeze({ dial: true, listen: true });

  private readonly codec = new IpAddressCodec();
  private readonly dialer: Dialer;
  private readonly dialTimeoutMs: number;
  private readonly bind: ListenBind;
  private readonly logger: Logger;
  private readonly sockets = new Set<Duplex>();
  private readonly listeners = new Set<TcpListener>();
  /** Aborted by stop(): cancels dials in flight and refuses new work. */
  private readonly lifetime = new AbortController();
  private stopping?: Promise<void>;

  constructor(options: ClearnetTransportOptions) {
    this.logger = options.logger;
    this.dialer = options.dialer ?? new DirectTcpDialer();
    this.dialTimeoutMs = options.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
    this.bind = options.bind ?? DEFAULT_LISTEN_BIND;
  }

  async dial(address: PeerAddress, options: DialOptions = {}): Promise<TransportConnection> {
    this.assertRunning();
    if (address.zone !== this.zone) {
      // The foreign host is not logged or echoed: it may be an onion/i2p name.
      throw new DialError(DialErrorCode.ZoneMismatch, `the clearnet transport cannot dial an address of zone ${address.zone}`, {
        zone: address.zone,
      });
    }
    const text = this.formatForDial(address);
    const stream = await dialWithDeadline(
      { what: `dial ${text}`, options, defaultTimeoutMs: this.dialTimeoutMs, lifetime: this.lifetime.signal, context: { address: text } },
      (signal) => this.dialer.connect({ host: address.host, port: address.port }, signal),
    );
    this.adopt(stream, text);
    this.logger.debug({ address: text }, 'clearnet dial connected');
    return { stream, direction: 'outbound', remote: address };
  }

  async listen(onConnection: (connection: TransportConnection) => void, options: ListenOptions = {}): Promise<TcpListener> {
    this.assertRunning();
    if (options.signal?.aborted) throw new AbortedError('clearnet listen');
    const bind = options.bind ?? this.bind;
    assertBindable(bind);
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket, onConnection));
    await listening(server, bind);
    if (options.signal?.aborted || this.lifetime.signal.aborted) {
      server.close();
      throw options.signal?.aborted ? new AbortedError('clearnet listen') : this.lifetime.signal.reason;
    }
    server.on('error', (err) => this.logger.warn({ err, bind: joinHostPort(bind.host, bind.port) }, 'clearnet listener error'));
    const bound = server.address() as AddressInfo;
    const listener = new TcpListener(server, [this.codec.format(this.codec.fromSocket(bound.address, bound.port))], (closed) =>
      this.listeners.delete(closed),
    );
    this.listeners.add(listener);
    this.logger.info({ addresses: listener.addresses }, 'clearnet listening');
    return listener;
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.lifetime.abort(new TransportUnavailableError(this.name, 'the transport is stopped'));
    await Promise.all([...this.listeners].map((listener) => listener.close()));
    await Promise.all([...this.sockets].map(destroyAndWait));
    this.logger.debug({}, 'clearnet transport stopped');
  }

  private assertRunning(): void {
    if (this.lifetime.signal.aborted) throw this.lifetime.signal.reason;
  }

  private formatForDial(address: PeerAddress): string {
    try {
      return this.codec.format(address);
    } catch (err) {
      throw new DialError(DialErrorCode.AddressInvalid, `cannot dial: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  private accept(socket: Socket, onConnection: (connection: TransportConnection) => void): void {
    if (this.lifetime.signal.aborted) {
      socket.destroy();
      return;
    }
    const remote = this.remoteOf(socket);
    const text = remote ? this.codec.format(remote) : 'unknown';
    this.adopt(socket, text);
    this.logger.debug({ remote: text }, 'clearnet inbound connection');
    onConnection({ stream: socket, direction: 'inbound', remote });
  }

  /** The peer's address, or undefined when the socket no longer knows it (already reset). */
  private remoteOf(socket: Socket): PeerAddress | undefined {
    if (socket.remoteAddress === undefined || socket.remotePort === undefined) return undefined;
    try {
      return this.codec.fromSocket(socket.remoteAddress, socket.remotePort);
    } catch {
      return undefined;
    }
  }

  /** Track a stream until it closes. An error destroys it (Node does) and is logged, never thrown. */
  private adopt(stream: Duplex, address: string): void {
    this.sockets.add(stream);
    stream.once('close', () => this.sockets.delete(stream));
    stream.on('error', (err: NodeJS.ErrnoException) => this.logger.debug({ address, errno: err.code }, 'clearnet stream error'));
  }
}

function assertBindable(bind: ListenBind): void {
  if (!/^[\x21-\x7e]{1,253}$/.test(bind.host) || !Number.isInteger(bind.port) || bind.port < 0 || bind.port > 65535) {
    throw new ListenError('BIND_ADDRESS_INVALID', `cannot listen on ${JSON.stringify(bind)}: need an IP address or host name and a port 0..65535`, {
      bind: { ...bind },
    });
  }
}

/**
 * Accept queue length asked of the kernel (capped by net.core.somaxconn), as monerod asks for
 * SOMAXCONN: Node's default of 511 overflows when hundreds of peers connect at once, and each
 * dropped SYN costs that peer a 1 s retransmit.
 */
const LISTEN_BACKLOG = 4096;

function listening(server: Server, bind: ListenBind): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.close();
      reject(listenErrorFromSocket(err, bind));
    };
    server.once('error', onError);
    server.listen({ host: bind.host, port: bind.port, exclusive: true, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function destroyAndWait(stream: Duplex): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed) return resolve();
    stream.once('close', () => resolve());
    stream.destroy();
  });
}
