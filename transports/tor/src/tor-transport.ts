import { isIPv4, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import {
  ConfigError,
  AbortedError,
  DialError,
  DialErrorCode,
  InvalidAddressError,
  listenHiddenServiceInbound,
  parseSocksProxy,
  probeSocksProxy,
  SocksDialer,
  SocksError,
  TransportUnavailableError,
  dialWithDeadline,
  ZONE_TOR,
  type DialOptions,
  type HiddenServiceInboundSettings,
  type Listener,
  type ListenOptions,
  type Logger,
  type PeerAddress,
  type Transport,
  type TransportCapabilities,
  type TransportConnection,
  type TransportContext,
  type TransportStatus,
} from '@veilnode/core';
import { OnionServiceKey } from './onion-service-key';
import { OnionServicePublisher } from './onion-service-publisher';
import { OnionV3Codec } from './onion-v3-codec';
import { ProxyHealth } from './proxy-health';
import { readTorConfig, type TorPluginConfig } from './tor-config';

/** Tor's usual SocksPort. monerod has no default; we pick Tor's. */
export const DEFAULT_TOR_PROXY = 'socks5://127.0.0.1:9050';
/** File in the transport's data dir holding our onion service key. */
export const ONION_KEY_FILE = 'onion_v3_private_key';

interface InboundSettings extends HiddenServiceInboundSettings {
  /** Configured onion (`--anonymous-inbound`), when there is one. */
  readonly address?: PeerAddress;
  readonly virtualPort: number;
}

/**
 * The Tor zone's transport. Outbound: SocksDialer to the zone's proxy (stream isolation by
 * default). Inbound: a local listener that the onion service forwards to — every connection there
 * belongs to the Tor zone and has no remote address (never the 127.0.0.1 socket peer). With
 * `tor.control` set it creates that onion service itself (ADD_ONION, key kept in the data dir).
 */
export class TorTransport implements Transport {
  readonly name = 'tor';
  readonly zone = ZONE_TOR;
  readonly capabilities: TransportCapabilities;
  readonly settings: TorPluginConfig;
  private readonly codec = new OnionV3Codec();
  private readonly dialer: SocksDialer;
  private readonly health: ProxyHealth;
  private readonly inbound: InboundSettings | undefined;
  private readonly logger: Logger;
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Set<Listener>();
  private stopped = false;
  /** Aborted by stop(): cancels dials in flight. */
  private readonly lifetime = new AbortController();
  private publisher: OnionServicePublisher | undefined;

  constructor(private readonly context: TransportContext) {
    this.logger = context.logger;
    this.settings = readTorConfig(context.pluginConfig);
    const proxy = parseSocksProxy(context.zone.proxy ?? DEFAULT_TOR_PROXY, `zones.${context.zone.name}.proxy`);
    this.dialer = new SocksDialer({ proxy, isolation: this.settings.isolation, timeoutMs: this.settings.socksTimeoutMs, logger: this.logger });
    this.health = new ProxyHealth(proxy, this.logger, this.settings.retryInitialMs, this.settings.retryMaxMs);
    this.inbound = this.readInbound();
    // Tor ends a stream both ways on the first EOF (no half-close).
    this.capabilities = Object.freeze({ dial: true, listen: this.inbound !== undefined, halfClose: false, ownInbound: this.settings.control !== null });
  }

  /** Checks the SOCKS proxy once; a dead proxy is reported by status() and retried, not fatal. */
  async start(): Promise<void> {
    if (this.stopped) throw new TransportUnavailableError(this.name, 'stopped');
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
    const problems = [this.health.problem];
    if (this.publisher && !this.publisher.status.published) problems.push(`onion service not published: ${this.publisher.status.reason}`);
    const reason = problems.filter((p) => p !== undefined).join('; ');
    return reason ? { healthy: false, reason } : { healthy: true };
  }

  async dial(address: PeerAddress, options: DialOptions = {}): Promise<TransportConnection> {
    if (this.stopped) throw new TransportUnavailableError(this.name, 'stopped');
    if (address.zone !== this.zone) {
      // The foreign host is not echoed: it may be a clearnet IP.
      throw new DialError(DialErrorCode.ZoneMismatch, `the tor transport cannot dial an address of zone ${address.zone}`, { zone: address.zone });
    }
    let target: PeerAddress;
    try {
      target = this.codec.parse(this.codec.format(address));
    } catch (err) {
      const reason = err instanceof InvalidAddressError ? String(err.context.reason) : String(err);
      throw new DialError(DialErrorCode.AddressInvalid, `tor cannot dial ${address.host}:${address.port}: ${reason}`, { zone: address.zone, reason });
    }
    const text = this.codec.format(target);
    let stream: Duplex;
    try {
      // One deadline/abort/stop discipline for every transport; stop() cancels dials in flight.
      stream = await dialWithDeadline(
        { what: `dial ${text}`, options, defaultTimeoutMs: this.settings.socksTimeoutMs, lifetime: this.lifetime.signal, context: { address: text } },
        (signal) => this.dialer.connect({ host: target.host, port: target.port }, signal),
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
    if (this.stopped) throw new TransportUnavailableError(this.name, 'stopped');
    if (!this.inbound) {
      throw new TransportUnavailableError(this.name, 'no inbound configured: set zones.tor.inbound (--anonymous-inbound) or tor.control');
    }
    if (options.signal?.aborted) throw new AbortedError('tor listen');
    const inbound: InboundSettings = options.bind ? { ...this.inbound, bind: options.bind } : this.inbound;
    const key = this.settings.control ? await this.loadKey() : undefined;
    const owner = { transport: this.name, logger: this.logger, what: 'Tor inbound listener', stopped: () => this.stopped, track: (socket: Socket) => this.track(socket) };
    const { server, port: boundPort } = await listenHiddenServiceInbound(inbound, owner, onConnection);
    const addresses = key ? [`${key.host}:${inbound.virtualPort}`] : [this.codec.format(inbound.address as PeerAddress)];
    if (key) await this.publish(key, inbound, boundPort);
    const listener = this.makeListener(server, addresses);
    options.signal?.addEventListener('abort', () => void listener.close(), { once: true });
    this.logger.info({ onion: addresses[0], bind: `${inbound.bind.host}:${boundPort}` }, 'Tor inbound listening');
    return listener;
  }

  /** Resolves when our onion service is published (tests; start-up scripts). */
  whenPublished(signal?: AbortSignal): Promise<void> {
    if (!this.publisher) return Promise.reject(new TransportUnavailableError(this.name, 'no onion service (tor.control unset or not listening)'));
    return this.publisher.whenPublished(signal);
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
          await this.publisher?.stop();
          this.publisher = undefined;
          await new Promise((resolve) => setImmediate(resolve));
        })();
        return closing;
      },
    };
    this.listeners.add(listener);
    return listener;
  }

  private async publish(key: OnionServiceKey, inbound: InboundSettings, boundPort: number): Promise<void> {
    const [host, port] = (this.settings.control as string).split(':');
    await this.publisher?.stop();
    this.publisher = new OnionServicePublisher({
      controlHost: host,
      controlPort: Number(port),
      password: this.settings.controlPassword ?? undefined,
      key,
      virtualPort: inbound.virtualPort,
      target: `${inbound.bind.host}:${boundPort}`,
      logger: this.logger,
      retryInitialMs: this.settings.retryInitialMs,
      retryMaxMs: this.settings.retryMaxMs,
    });
    this.publisher.start();
  }

  private async loadKey(): Promise<OnionServiceKey> {
    const { key, created } = await OnionServiceKey.loadOrCreate(join(this.context.dataDir, ONION_KEY_FILE));
    if (created) this.logger.info({ onion: key.host }, 'generated the key of our onion service');
    if (this.inbound?.address && this.inbound.address.host !== key.host) {
      this.logger.warn({ configured: this.inbound.address.host, onion: key.host }, 'tor.control is set: announcing the onion created from our key, not the configured one');
    }
    return key;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private readInbound(): InboundSettings | undefined {
    const zone = this.context.zone;
    const configured = zone.inbound;
    if (!configured && !this.settings.control) return undefined;
    let address: PeerAddress | undefined;
    if (configured) {
      try {
        address = this.codec.parse(configured.address);
      } catch (err) {
        const reason = err instanceof InvalidAddressError ? String(err.context.reason) : String(err);
        throw new ConfigError(`zones.${zone.name}.inbound.address ${JSON.stringify(configured.address)}: ${reason}`, {
          path: `zones.${zone.name}.inbound.address`,
          reason,
        });
      }
    }
    const bind = configured?.bind ?? '127.0.0.1:0';
    const m = /^(.+):(\d{1,5})$/.exec(bind);
    if (!m || !isIPv4(m[1]) || Number(m[2]) > 65535) {
      throw new ConfigError(`zones.${zone.name}.inbound.bind ${JSON.stringify(bind)} must be IPv4:port`, { path: `zones.${zone.name}.inbound.bind` });
    }
    return {
      address,
      bind: { host: m[1], port: Number(m[2]) },
      max: configured?.max ?? zone.maxInbound,
      virtualPort: address?.port ?? this.settings.onionPort,
    };
  }
}
