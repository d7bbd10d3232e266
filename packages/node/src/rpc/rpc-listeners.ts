import type { Logger } from '@veilnode/plugin-api';
import type { RpcZoneListener } from '../config/rpc-zones';
import type { RpcMethodRegistry } from './rpc-method-registry';
import { RpcServer, type RpcServerOptions } from './rpc-server';

/** The clearnet listener's settings (config.rpc without its zone listeners). */
export type MainRpcOptions = Omit<RpcServerOptions, 'zone'>;

/**
 * Every RPC listener of the node: the clearnet one (config.rpc) and one per hidden-service zone
 * (rpc.zones). A zone listener serves the same endpoints, always restricted, and tags each
 * request with its zone, so answers are drawn from that zone only. It is independent of the
 * zone's p2p inbound: the Tor/I2P daemon just forwards bytes to its local bind.
 */
export class RpcListeners {
  readonly main: RpcServer;
  readonly servers: readonly RpcServer[];
  readonly restricted: RpcServer | undefined;

  constructor(
    options: MainRpcOptions,
    zones: readonly RpcZoneListener[],
    methods: RpcMethodRegistry,
    private readonly logger: Logger,
    /** monerod's --rpc-restricted-bind-*: a second clearnet listener serving only safe methods. */
    restrictedBind?: { readonly bindIp: string; readonly bindPort: number },
  ) {
    this.main = new RpcServer({ ...options, zone: 'clearnet' }, methods, logger.child({ component: 'rpc' }));
    const restricted =
      restrictedBind === undefined ? [] : [new RpcServer({ ...options, ...restrictedBind, restricted: true, zone: 'clearnet' }, methods, logger.child({ component: 'rpc' }))];
    const zoneServers = zones.map(
      (z) =>
        new RpcServer(
          { bindIp: z.bindIp, bindPort: z.bindPort, maxBodyBytes: options.maxBodyBytes, login: options.login, restricted: true, zone: z.zone },
          methods,
          logger.child({ component: 'rpc', zone: z.zone }),
        ),
    );
    this.restricted = restricted[0];
    this.servers = [this.main, ...restricted, ...zoneServers];
  }

  /** The clearnet listener's bound address. */
  get address(): string | undefined {
    return this.main.address;
  }

  /** Starts every listener; if one cannot bind, those already started are stopped again. */
  async start(): Promise<void> {
    const started: RpcServer[] = [];
    try {
      for (const server of this.servers) {
        await server.start();
        started.push(server);
      }
    } catch (error) {
      await Promise.all(started.map((s) => s.stop()));
      throw error;
    }
    if (this.restricted !== undefined) this.logger.info({ component: 'rpc', address: this.restricted.address }, 'restricted RPC listening');
    for (const server of this.servers.slice(this.restricted === undefined ? 1 : 2)) this.logger.info({ zone: server.requestInfo.zone }, 'hidden-service RPC listening (restricted)');
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}
