import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { instanceCachingFactory } from 'tsyringe';
import type { Logger } from '../api/logger';
import type { NodeConfig } from '../config/core-schema';
import { createRootContainer } from '../di/root-container';
import { CONFIG, CONNECTION_HANDLER, LOGGER, NODE, PLUGIN_REGISTRY, RELAY_QUEUE, RPC_METHODS, RPC_SERVER } from '../di/tokens';
import type { PluginRegistry } from '../plugins/plugin-registry';
import { registerGetZones } from '../rpc/get-zones-method';
import type { RpcMethodRegistry } from '../rpc/rpc-method-registry';
import { RpcServer } from '../rpc/rpc-server';
import { HoldingConnectionHandler, type ConnectionHandler } from './connection-handler';
import { Node } from './node';
import type { PreparedNode } from './prepare-node';
import { EmptyRelayQueue, type RelayQueue } from './relay-queue';

export interface ComposeOptions {
  /** The peer layer's handler; the holding handler when absent. */
  readonly connectionHandler?: ConnectionHandler;
  /** The relay engine's queue view; nothing queued when absent. */
  readonly relayQueue?: RelayQueue;
  /** Per-zone start deadline (default ZONE_START_TIMEOUT_MS). */
  readonly zoneStartTimeoutMs?: number;
}

/**
 * The composition root: core services go into one root container; the Node later gives each
 * enabled zone a child container of it. This is the only place core services are wired.
 */
export function composeNode(prepared: PreparedNode, options: ComposeOptions = {}): { node: Node; container: DependencyContainer } {
  const root = createRootContainer();
  root.register(CONFIG, { useValue: prepared.config });
  root.register(LOGGER, { useValue: prepared.logger });
  root.register(PLUGIN_REGISTRY, { useValue: prepared.registry });
  root.register(RPC_METHODS, { useValue: prepared.rpcMethods });
  root.register(CONNECTION_HANDLER, { useValue: options.connectionHandler ?? new HoldingConnectionHandler(prepared.logger) });
  root.register(RELAY_QUEUE, { useValue: options.relayQueue ?? new EmptyRelayQueue() });
  root.register(RPC_SERVER, {
    useFactory: instanceCachingFactory((c) => {
      const config = c.resolve<NodeConfig>(CONFIG);
      return new RpcServer(
        { ...config.rpc, zone: 'clearnet' },
        c.resolve<RpcMethodRegistry>(RPC_METHODS),
        c.resolve<Logger>(LOGGER).child({ component: 'rpc' }),
      );
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
          rpc: c.resolve<RpcServer>(RPC_SERVER),
          handler: c.resolve<ConnectionHandler>(CONNECTION_HANDLER),
          relayQueue: c.resolve<RelayQueue>(RELAY_QUEUE),
          stopHooks: prepared.stopHooks,
          logger: c.resolve<Logger>(LOGGER),
          zoneStartTimeoutMs: options.zoneStartTimeoutMs,
        }),
    ),
  });
  const node = root.resolve<Node>(NODE);
  registerGetZones(prepared.rpcMethods, node);
  return { node, container: root };
}
