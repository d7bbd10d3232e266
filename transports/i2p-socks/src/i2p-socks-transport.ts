import type { Server, Socket } from 'node:net';
import {
  AbortedError,
  ConfigError,
  listenHiddenServiceInbound,
  parseSocksProxy,
  probeSocksProxy,
  SocksDialer,
  SocksError,
  TransportUnavailableError,
  ZONE_I2P,
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
import { i2pDialTarget, i2pZone, parseHostPort } from '@veilnode/i2p-zone';
import { DEFAULT_I2P_PROXY, parseI2pSocksConfig, PLUGIN_NAME, type I2pSocksConfig } from './config';

interface InboundSettings extends HiddenServiceInboundSettings {
  /** Our b32 address: the server tunnel the operator configured in the router. */
  readonly address: PeerAddress;
}

/**
 * The I2P zone the way monerod reaches it: outbound through the router's SOCKS proxy (b32 names
 * go to the proxy as host names and are never resolved here), inbound on a plain TCP listener
 * that a server tunnel in the router forwards to (`--anonymous-inbound <b32>,<ip>:<port>`).
 * Inbound peers are unknown (`remote` undefined): the router does not tell us who they are.
 */
export class I2pSocksTransport implements Transport {
  readonly name = PLUGIN_NAME;
  readonly zone = ZONE_I2P;
  readonly capabilities: TransportCapabilities;
  private readonly dialer: SocksDialer;
  private readonly inbound: InboundSettings | undefined;
  private readonly logger: Logger;
  private readonly config: I2pSocksConfig;
  private readonly sockets = new Set<Socket>();
  private readonly servers = new Set<Server>();
  private proxyProblem: string | undefined;
  private stopped = false;

  constructor(context: TransportContext) {
    this.logger = context.logger.child({ transport: PLUGIN_NAME });
    this.config = parseI2pSocksConfig(context.pluginConfig);
    const proxy = parseSocksProxy(context.zone.proxy ?? DEFAULT_I2P_PROXY, `zones.${context.zone.name}.proxy`);
    // isolation credentials mean nothing to an I2P router (no circuits to separate)
    this.dialer = new SocksDialer({ proxy, isolation: false, timeoutMs: this.config.dialTimeoutMs, logger: this.logger });
    this.inbound = readInbound(context);
    // i2pd's tunnels end an I2P stream both ways on the first EOF: no half-close (seen on 2.45.1)
    this.capabilities = Object.freeze({ dial: true, listen: this.inbound !== undefined, halfClose: false });
  }

  /** Checks the proxy once; a dead proxy is reported by status(), not fatal. */
  async start(): Promise<void> {
    if (this.stopped) throw new TransportUnavailableError(this.name, 'stopped');
    try {
      await probeSocksProxy(this.dialer.proxy);
      this.proxyProblem = undefined;
    } catch (error) {
      this.proxyProblem = (error as Error).message;
    }
  }

  status(): TransportStatus {
    if (this.stopped) return { healthy: false, reason: 'stopped' };
    return this.proxyProblem ? { healthy: false, reason: this.proxyProblem } : { healthy: true };
  }

  async dial(address: PeerAddress, options: DialOptions = {}): Promise<TransportConnection> {
    if (this.stopped) throw new TransportUnavailableError(this.name, 'stopped');
    const target = i2pDialTarget(address, this.name);
    let socket: Socket;
    try {
      // port ≥ 1 always (the codec maps 0 to 1): i2pd's SOCKS proxy rejects port 0
      socket = await this.dialer.dial(target.host, target.port, { signal: options.signal, timeoutMs: options.timeoutMs });
    } catch (error) {
      if (error instanceof SocksError && error.isProxyFailure) this.proxyProblem = error.message;
      throw error;
    }
    this.proxyProblem = undefined;
    if (this.stopped) {
      socket.destroy();
      throw new TransportUnavailableError(this.name, 'stopped');
    }
    this.track(socket);
    return { stream: socket, direction: 'outbound', remote: target };
  }

  async listen(onConnection: (connection: TransportConnection) => void, options: ListenOptions = {}): Promise<Listener> {
    if (this.stopped) throw new TransportUnavailableError(this.name, 'stopped');
    if (!this.inbound) {
      throw new TransportUnavailableError(this.name, 'no inbound configured: set zones.i2p.inbound (--anonymous-inbound <b32>,<ip>:<port>) and a server tunnel in the router');
    }
    if (options.signal?.aborted) throw new AbortedError('i2p-socks listen');
    const inbound = options.bind ? { ...this.inbound, bind: options.bind } : this.inbound;
    const owner = { transport: this.name, logger: this.logger, what: 'I2P inbound listener', stopped: () => this.stopped, track: (socket: Socket) => this.track(socket) };
    const { server, port } = await listenHiddenServiceInbound(inbound, owner, onConnection);
    this.servers.add(server);
    const address = i2pZone.codec.format(inbound.address);
    this.logger.info({ address, bind: `${inbound.bind.host}:${port}` }, 'I2P inbound listening');
    let closed = false;
    return {
      addresses: Object.freeze([address]),
      close: async () => {
        if (closed) return;
        closed = true;
        this.servers.delete(server);
        // stop accepting and free the port; accepted streams stay (their owner or stop() ends them)
        server.close();
        await new Promise((resolve) => setImmediate(resolve));
      },
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const server of this.servers) server.close();
    this.servers.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // no half-close over i2pd: the router's EOF means the I2P stream is gone both ways (seen when
    // a server tunnel cannot reach its target: 'end' at once, then nothing), so end ours too and
    // let the socket close instead of lingering half-open
    socket.once('end', () => socket.end());
  }
}

function readInbound(context: TransportContext): InboundSettings | undefined {
  const inbound = context.zone.inbound;
  if (!inbound) return undefined;
  const path = `zones.${context.zone.name}.inbound`;
  let address: PeerAddress;
  try {
    address = i2pZone.codec.parse(inbound.address);
  } catch (error) {
    throw new ConfigError(`${path}.address must be our .b32.i2p address: ${(error as Error).message}`, { path: `${path}.address` });
  }
  const bind = parseHostPort(inbound.bind, `${path}.bind`, { allowPortZero: true });
  return { address, bind, max: inbound.max > 0 ? inbound.max : Number.MAX_SAFE_INTEGER };
}
