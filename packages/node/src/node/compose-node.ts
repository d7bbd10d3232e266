import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { instanceCachingFactory } from 'tsyringe';
import { type Logger, SystemClock } from '@veilnode/plugin-api';
import type { NodeConfig } from '../config/core-schema';
import { rpcZoneListeners } from '../config/rpc-zones';
import { createRootContainer } from '../di/root-container';
import { CONFIG, CONNECTION_HANDLER, LOGGER, NODE, PLUGIN_REGISTRY, RELAY_QUEUE, RPC_METHODS, RPC_SERVER } from '../di/tokens';
import type { PluginRegistry } from '../plugins/plugin-registry';
import { registerGetZones } from '../rpc/get-zones-method';
import type { RpcMethodRegistry } from '../rpc/rpc-method-registry';
import { RpcListeners } from '../rpc/rpc-listeners';
import { loadRpcTls } from '../rpc/rpc-tls-config';
import { createUpstream } from '../rpc/upstream/create-upstream';
import type { PublicRpcNodeSource } from '../rpc/upstream/public-rpc-node';
import { UpstreamTxWatch } from '../rpc/upstream/upstream-tx-watch';
import type { ConnectionHandler } from '../peer/connection-handler';
import { attachNodeRpc, type NodeRpcSources } from './monerod-rpc-wiring';
import { Node, type NodeService } from './node';
import type { PreparedNode } from './prepare-node';
import type { RelayQueue } from './relay-queue';
import type { RelayService } from './relay-service';

export interface ComposeOptions {
  /** The peer layer, which every connection of every zone is handed to. */
  readonly connectionHandler: ConnectionHandler;
  /** The relay engine service, built with the peer layer's port (createRelayService). */
  readonly relay: RelayService;
  /** The peer layer's views for get_info / get_connections / get_peer_list. */
  readonly rpcSources: Omit<NodeRpcSources, 'zoneHealth'>;
  /** Per-zone start deadline (default ZONE_START_TIMEOUT_MS). */
  readonly zoneStartTimeoutMs?: number;
  /** More core services with the node's lifecycle, started after the relay engine (before zones) and stopped before it. */
  readonly services?: readonly NodeService[];
  /** The peers that advertise a public RPC node (`--bootstrap-daemon-address auto`); none when absent. */
  readonly publicRpcNodes?: PublicRpcNodeSource;
}

/**
 * The composition root: core services go into one root container; the Node later gives each
 * enabled zone a child container of it. This is the only place core services are wired.
 */
export function composeNode(prepared: PreparedNode, options: ComposeOptions): { node: Node; container: DependencyContainer; relay: RelayService } {
  const root = createRootContainer();
  root.register(CONFIG, { useValue: prepared.config });
  root.register(LOGGER, { useValue: prepared.logger });
  root.register(PLUGIN_REGISTRY, { useValue: prepared.registry });
  root.register(RPC_METHODS, { useValue: prepared.rpcMethods });
  root.register(CONNECTION_HANDLER, { useValue: options.connectionHandler });
  const relay = options.relay;
  // `node` is assigned below; the upstream dials through it only once zones run.
  const upstream = createUpstream(prepared.config.rpc.upstream, {
    network: prepared.config.network,
    zones: prepared.zones.map((z) => ({ name: z.name, anonymity: prepared.registry.zone(z.name)?.definition.policy.anonymity ?? false })),
    openStream: async (address, dialOptions) => (await node.openConnection(node.parseAddress(address), dialOptions)).stream,
    publicNodes: options.publicRpcNodes ?? { publicRpcNodes: () => [] },
    connections: options.rpcSources?.connections ?? { connections: () => [] },
    clock: new SystemClock(),
    logger: prepared.logger.child({ component: 'upstream' }),
  });
  const watch = upstream === undefined ? undefined : new UpstreamTxWatch(upstream, relay, new SystemClock(), prepared.logger.child({ component: 'upstream' }), {
          intervalMs: prepared.config.rpc.upstream.watchIntervalMs,
        });
  const upstreamServices: NodeService[] =
    upstream === undefined || watch === undefined
      ? []
      : [{ name: 'upstream', start: async () => (watch.start(), upstream.start()), stop: async () => (watch.stop(), upstream.close()) }];
  root.register(RELAY_QUEUE, { useValue: relay });
  root.register(RPC_SERVER, {
    useFactory: instanceCachingFactory((c) => {
      const { zones, ssl, bindIp, bindPort, login, restricted, maxBodyBytes, restrictedBindIp, restrictedBindPort } = c.resolve<NodeConfig>(CONFIG).rpc;
      const main = { bindIp, bindPort, login, restricted, maxBodyBytes, tls: loadRpcTls(ssl) };
      const second = restrictedBindPort === null ? undefined : { bindIp: restrictedBindIp ?? bindIp, bindPort: restrictedBindPort };
      return new RpcListeners(main, rpcZoneListeners(zones), c.resolve<RpcMethodRegistry>(RPC_METHODS), c.resolve<Logger>(LOGGER), second);
    }),
  });
  root.register(NODE, {
    useFactory: instanceCachingFactory(
      (c) =>
        new Node({
          root: c,
          config: c.resolve<NodeConfig>(CONFIG),
          dataDir: prepared.dataDir,
          zones: prepared.zones,
          registry: c.resolve<PluginRegistry>(PLUGIN_REGISTRY),
          rpc: c.resolve<RpcListeners>(RPC_SERVER),
          handler: c.resolve<ConnectionHandler>(CONNECTION_HANDLER),
          relayQueue: c.resolve<RelayQueue>(RELAY_QUEUE),
          services: [{ name: 'relay', start: () => relay.start(), stop: () => relay.stop() }, ...upstreamServices, ...(options.services ?? [])],
          stopHooks: prepared.stopHooks,
          pluginRuntime: prepared.pluginRuntime,
          logger: c.resolve<Logger>(LOGGER),
          zoneStartTimeoutMs: options.zoneStartTimeoutMs,
        }),
    ),
  });
  const node = root.resolve<Node>(NODE);
  registerGetZones(prepared.rpcMethods, node);
  attachNodeRpc(prepared, root.resolve<RpcListeners>(RPC_SERVER), relay, { zoneHealth: node, ...options.rpcSources }, { upstream, watch });
  return { node, container: root, relay };
}
