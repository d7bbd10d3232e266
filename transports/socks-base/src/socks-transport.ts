import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AbortedError, ConfigError, dialWithDeadline, InvalidAddressError, probeSocksProxy, SocksDialer, SocksError, TransportUnavailableError, type AddressCodec, type DialOptions, type Listener, type ListenBind, type ListenOptions, type Logger, type PeerAddress, type SocksProxy, type Transport, type TransportCapabilities, type TransportConnection, type TransportContext, type TransportStatus } from '@veilnode/plugin-api';
import { listenHiddenServiceInbound, type HiddenServiceInboundSettings } from './hidden-service-inbound';
import { ProxyHealth } from './proxy-health';

/** Where this transport's hidden service delivers inbound streams, parsed from `zones.<zone>.inbound`. */
export interface SocksInboundSettings extends HiddenServiceInboundSettings {
  /** Our own zone address (`--anonymous-inbound`), when configured. */
  readonly address?: PeerAddress;
}

/** What a concrete SOCKS transport supplies; everything else is shared. */
export interface SocksTransportOptions {
  readonly name: string;
  readonly zone: string;
  readonly codec: AddressCodec;
  readonly context: TransportContext;
  /** The zone's proxy, parsed (`zones.<zone>.proxy` or the transport's default). */
  readonly proxy: SocksProxy;
  /** Fresh random SOCKS credentials per connection (Tor stream isolation); false for I2P. */
  readonly isolation: boolean;
  /** Dials with `freshIdentity` get fresh random SOCKS credentials (Tor: their own circuit); false: such dials are refused. */
  readonly freshIdentity?: boolean;
  /** Deadline of one dial when the caller gives none, ms. */
  readonly dialTimeoutMs: number;
  /** Back-off of the probes that watch a proxy seen down, ms (×1.5 up to `maxMs`). */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
  /** The transport creates its own inbound address (Tor's ADD_ONION): it listens without `zones.<zone>.inbound`. */
  readonly ownInbound?: boolean;
  /** What the listener is called in logs: `Tor inbound`. */
  readonly inboundName: string;
  /** Why listen() fails when no inbound is configured, and how to configure one. */
  readonly noInboundHint: string;
}

const DEFAULT_RETRY = { initialMs: 1_000, maxMs: 60_000 };
/** Where an own-inbound transport (Tor's ADD_ONION) listens when no bind is given: loopback, a free port. */
const DEFAULT_INBOUND_BIND: ListenBind = Object.freeze({ host: '127.0.0.1', port: 0 });

/**
 * The skeleton every transport that dials through a SOCKS proxy and receives through a hidden
 * service's local listener shares (Tor, I2P over SOCKS): outbound streams through `SocksDialer`
 * under one deadline/abort/stop discipline, proxy health watched with back-off, inbound on a
 * local TCP listener whose connections have no remote address, and stop() ending everything.
 * Neither Tor streams nor I2P tunnels half-close, so a peer's EOF ends our side too.
 *
 * A subclass says how to check a dial target (`dialTarget`) and what to announce once the
 * listener is bound (`announce`; Tor publishes an onion service there).
 */
export abstract class SocksTransport implements Transport {
  readonly name: string;
  readonly zone: string;
  readonly capabilities: TransportCapabilities;
  protected readonly codec: AddressCodec;
  protected readonly logger: Logger;
  protected readonly dialer: SocksDialer;
  /** Whether a dial with `freshIdentity` gets its own credentials (and so, on Tor, its own circuit). */
  private readonly freshIdentity: boolean;
  /** Undefined when the transport cannot listen. */
  protected readonly inbound: SocksInboundSettings | undefined;
  private readonly health: ProxyHealth;
  private readonly dialTimeoutMs: number;
  private readonly inboundName: string;
  private readonly noInboundHint: string;
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Set<Listener>();
  /** Aborted by stop(): cancels dials in flight. */
  private readonly lifetime = new AbortController();
  private stopped = false;

  protected constructor(options: SocksTransportOptions) {
    this.name = options.name;
    this.zone = options.zone;
    this.codec = options.codec;
    this.logger = options.context.logger;
    this.dialTimeoutMs = options.dialTimeoutMs;
    this.inboundName = options.inboundName;
    this.noInboundHint = options.noInboundHint;
    this.freshIdentity = options.freshIdentity === true && !options.proxy.hasCredentials;
    this.dialer = new SocksDialer({ proxy: options.proxy, isolation: options.isolation, timeoutMs: options.dialTimeoutMs, logger: this.logger });
    const retry = options.retry ?? DEFAULT_RETRY;
    this.health = new ProxyHealth(options.proxy, this.logger, retry.initialMs, retry.maxMs);
    this.inbound = readInbound(options.context, options.codec, options.ownInbound === true);
    this.capabilities = Object.freeze({ dial: true, listen: this.inbound !== undefined, halfClose: false, ownInbound: options.ownInbound === true });
  }

  /**
   * The address to hand the proxy for `address`: rejects another zone's address with DialError
   * ZONE_MISMATCH and an invalid one with DialError ADDRESS_INVALID, sending nothing.
   */
  protected abstract dialTarget(address: PeerAddress): PeerAddress;

  /** Called once the listener is bound on `port`; returns the addresses peers reach us at. */
  protected abstract announce(inbound: SocksInboundSettings, port: number): Promise<readonly string[]>;

  /** Undoes announce() when its listener closes. */
  protected async withdraw(): Promise<void> {}

  /** Problems besides the proxy's (Tor: the onion service not published). */
  protected otherProblems(): ReadonlyArray<string | undefined> {
    return [];
  }

  /** Checks the SOCKS proxy once; a dead proxy is reported by status() and retried, not fatal. */
  async start(): Promise<void> {
    this.assertRunning();
    try {
      await probeSocksProxy(this.dialer.proxy);
    } catch (err) {
      this.health.markDown((err as Error).message);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.lifetime.abort(new TransportUnavailableError(this.name, 'stopped'));
    this.health.stop();
    await Promise.all([...this.listeners].map((l) => l.close()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  status(): TransportStatus {
    if (this.stopped) return { healthy: false, reason: 'stopped' };
    const reason = [this.health.problem, ...this.otherProblems()].filter((p) => p !== undefined).join('; ');
    return reason ? { healthy: false, reason } : { healthy: true };
  }

  async dial(address: PeerAddress, options: DialOptions = {}): Promise<TransportConnection> {
    this.assertRunning();
    if (options.freshIdentity === true && !this.freshIdentity) throw new TransportUnavailableError(this.name, 'this transport cannot give a stream a fresh identity (freshIdentity)');
    const target = this.dialTarget(address);
    const text = this.codec.format(target);
    let stream: Duplex;
    try {
      stream = await dialWithDeadline(
        { what: `dial ${text}`, options, defaultTimeoutMs: this.dialTimeoutMs, lifetime: this.lifetime.signal, context: { address: text } },
        (signal) => this.dialer.connect({ host: target.host, port: target.port }, signal, { freshCredentials: options.freshIdentity === true && this.freshIdentity }),
      );
    } catch (err) {
      if (err instanceof SocksError && err.isProxyFailure) this.health.markDown(err.message);
      throw err;
    }
    this.health.markUp();
    const socket = stream as Socket;
    this.track(socket);
    return { stream: socket, direction: 'outbound', remote: target };
  }

  async listen(onConnection: (connection: TransportConnection) => void, options: ListenOptions = {}): Promise<Listener> {
    this.assertRunning();
    if (!this.inbound) throw new TransportUnavailableError(this.name, this.noInboundHint);
    if (options.signal?.aborted) throw new AbortedError(`${this.name} listen`);
    const inbound: SocksInboundSettings = options.bind ? { ...this.inbound, bind: options.bind } : this.inbound;
    const owner = {
      transport: this.name,
      logger: this.logger,
      what: `${this.inboundName} listener`,
      stopped: () => this.stopped,
      track: (socket: Socket) => this.track(socket),
    };
    const { server, port } = await listenHiddenServiceInbound(inbound, owner, onConnection);
    let addresses: readonly string[];
    try {
      addresses = await this.announce(inbound, port);
    } catch (err) {
      server.close();
      throw err;
    }
    // the own address only: a zone's peer addresses never reach the logs
    this.logger.info({ address: addresses[0], bind: `${inbound.bind.host}:${port}` }, `${this.inboundName} listening`);
    return this.makeListener(server, addresses);
  }

  private makeListener(server: Server, addresses: readonly string[]): Listener {
    let closing: Promise<void> | undefined;
    const listener: Listener = {
      addresses: Object.freeze([...addresses]),
      close: () => {
        closing ??= (async () => {
          this.listeners.delete(listener);
          // Stop accepting and free the port now; accepted streams stay open (their owner or
          // stop() ends them), so net.Server's own close callback is not awaited.
          server.close();
          await this.withdraw();
          await new Promise((resolve) => setImmediate(resolve));
        })();
        return closing;
      },
    };
    this.listeners.add(listener);
    return listener;
  }

  private assertRunning(): void {
    if (this.stopped) throw new TransportUnavailableError(this.name, 'stopped');
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // no half-close on these zones: the daemon's EOF means the stream is gone both ways (i2pd
    // sends it at once when a server tunnel cannot reach its target), so end ours too rather
    // than linger half-open
    socket.once('end', () => socket.end());
  }
}

/** `zones.<zone>.inbound` parsed once: our address through the zone's codec, the bind as `{host, port}`. */
function readInbound(context: TransportContext, codec: AddressCodec, ownInbound: boolean): SocksInboundSettings | undefined {
  const zone = context.zone;
  const configured = zone.inbound;
  if (!configured && !ownInbound) return undefined;
  const path = `zones.${zone.name}.inbound`;
  let address: PeerAddress | undefined;
  if (configured) {
    try {
      address = codec.parse(configured.address);
    } catch (err) {
      const reason = err instanceof InvalidAddressError ? String(err.context.reason) : String(err);
      throw new ConfigError(`${path}.address ${JSON.stringify(configured.address)}: ${reason}`, { path: `${path}.address`, reason });
    }
  }
  return {
    address,
    bind: configured?.bind ?? DEFAULT_INBOUND_BIND,
    // core fills max (≥ 1); a context built by hand may leave 0, which must not mean unbounded
    max: configured?.max || zone.maxInbound,
  };
}
