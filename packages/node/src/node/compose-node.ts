import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { instanceCachingFactory } from 'tsyringe';
import { type Clock, type Logger, SystemClock } from '@veilnode/plugin-api';
import type { NodeConfig } from '../config/core-schema';
import { parseIpPort, type HostPort } from '../config/host-port';
import { rpcZoneListeners } from '../config/rpc-zones';
import { createRootContainer } from '../di/root-container';
import {
  CLOCK,
  CONFIG,
  CONNECTION_HANDLER,
  LOGGER,
  NODE,
  NODE_METRICS,
  NODE_SERVICE,
  PEER_RPC_SOURCES,
  PEER_SERVICE,
  PLUGIN_REGISTRY,
  RELAY_SERVICE,
  RPC_METHODS,
  RPC_SERVER,
  UPSTREAM,
  VEILNODE,
  ZONE_ACTIVITY,
} from '../di/tokens';
import { MetricsServer } from '../metrics/metrics-server';
import { NodeMetrics } from '../metrics/node-metrics';
import type { PeerRateLimits } from '../net/throttled-stream';
import { TokenBucket } from '../net/token-bucket';
import type { ConnectionHandler } from '../peer/connection-handler';
import { allOf } from '../peer/peer-events';
import { PeerGate } from '../peer/peer-gate';
import { PeerRelayPort } from '../peer/peer-relay-port';
import { PeerService, type PeerServiceOptions } from '../peer/peer-service';
import type { PluginRegistry } from '../plugins/plugin-registry';
import type { RelayStatus } from '../relay/relay-engine';
import { registerGetZones } from '../rpc/get-zones-method';
import type { RpcMethodRegistry } from '../rpc/rpc-method-registry';
import { RpcListeners } from '../rpc/rpc-listeners';
import { loadRpcTls } from '../rpc/rpc-tls-config';
import { createUpstream } from '../rpc/upstream/create-upstream';
import { UpstreamTxWatch } from '../rpc/upstream/upstream-tx-watch';
import { carrierOpeners } from './carrier-openers';
import { attachNodeRpc, createRelayService, type UpstreamParts } from './monerod-rpc-wiring';
import { Node, type NodeService } from './node';
import { PeerRpcSources } from './peer-rpc-sources';
import type { PreparedNode } from './prepare-node';
import type { RelayService } from './relay-service';
import { Veilnode } from './veilnode';
import { ZoneActivityLog } from './zone-activity-log';

export interface VeilnodeOptions {
  /** Per-zone start deadline (default ZONE_START_TIMEOUT_MS). */
  readonly zoneStartTimeoutMs?: number;
  /** Peer-layer tuning (tests shorten the outbound refill interval). */
  readonly peers?: Pick<PeerServiceOptions, 'maintenanceIntervalMs' | 'timeouts' | 'allowLoopback'>;
  /**
   * Runs after the node's own registrations and before anything is resolved: a registration
   * made here replaces the node's for that token (tests plug in their own CONNECTION_HANDLER),
   * and a NODE_SERVICE registered here runs with the node's lifecycle after its own services.
   */
  readonly overrides?: (root: DependencyContainer) => void;
}

/** A singleton of the root container, built on first resolve. */
function single<T>(root: DependencyContainer, token: symbol, build: (c: DependencyContainer) => T): void {
  root.register<T>(token, { useFactory: instanceCachingFactory(build) });
}

/**
 * The composition root, the one place the product is assembled: every core service is
 * registered in one tsyringe root container and resolved from it; the Node gives each enabled
 * zone a child container of it when the zone starts. The peer layer is the ConnectionHandler;
 * the relay engine gets it as its outbound port and is its tx sink and connection observer; the
 * RPC submits local txs to the engine and reads the peer layer's connections, peer lists and
 * chain tops. Parts that need the Node (dials, gauges) reach it lazily, once it is resolved.
 */
export function composeNode(prepared: PreparedNode, options: VeilnodeOptions = {}): Veilnode {
  const root = createRootContainer();
  const node = (): Node => root.resolve<Node>(NODE);
  root.register(CONFIG, { useValue: prepared.config });
  root.register(LOGGER, { useValue: prepared.logger });
  root.register(PLUGIN_REGISTRY, { useValue: prepared.registry });
  root.register(RPC_METHODS, { useValue: prepared.rpcMethods });
  root.register<Clock>(CLOCK, { useValue: new SystemClock() });
  if (prepared.config.metrics.bind !== null) {
    single(root, NODE_METRICS, (c) => new NodeMetrics({ zoneStatuses: () => node().zoneStatuses(), localTxs: () => localTxsByState(c.resolve<RelayService>(RELAY_SERVICE).status()) }));
  }
  const metrics = (c: DependencyContainer): NodeMetrics | undefined => (c.isRegistered(NODE_METRICS) ? c.resolve<NodeMetrics>(NODE_METRICS) : undefined);
  single(root, ZONE_ACTIVITY, (c) => new ZoneActivityLog({ zoneStatuses: () => node().zoneStatuses(), relayStatus: () => c.resolve<RelayService>(RELAY_SERVICE).status() }, prepared.logger.child({ component: 'node' }), c.resolve<Clock>(CLOCK)));
  single(root, PEER_SERVICE, (c) => {
    const clock = c.resolve<Clock>(CLOCK);
    return new PeerService({
      network: prepared.config.network,
      dataDir: prepared.dataDir,
      logger: prepared.logger.child({ component: 'p2p' }),
      padTransactions: prepared.config.p2p.padTransactions,
      rateLimits: peerRateLimits(prepared.config.p2p, clock),
      events: allOf(metrics(c), c.resolve<ZoneActivityLog>(ZONE_ACTIVITY)),
      gate: new PeerGate(prepared.banList, clock),
      ...options.peers,
    });
  });
  single(root, CONNECTION_HANDLER, (c) => c.resolve<PeerService>(PEER_SERVICE).layer);
  single(root, PEER_RPC_SOURCES, (c) => new PeerRpcSources(c.resolve<PeerService>(PEER_SERVICE), prepared.zones.map((zone) => ({ name: zone.name, codec: prepared.registry.zone(zone.name)!.definition.codec }))));
  single(root, RELAY_SERVICE, (c) => {
    const peers = c.resolve<PeerService>(PEER_SERVICE);
    const carriers = carrierOpeners(prepared, peers, (zone, address, signal) => node().dialCarrier(zone, address, signal), metrics(c));
    const relay = createRelayService(prepared, new PeerRelayPort(peers, metrics(c)), carriers);
    peers.layer.setTxSink(relay);
    peers.layer.setConnectionObserver(relay);
    return relay;
  });
  if (prepared.config.rpc.upstream.address !== null) single(root, UPSTREAM, (c) => upstreamParts(c, prepared, node));
  single(root, RPC_SERVER, (c) => {
    const { zones, ssl, bindIp, bindPort, login, restricted, maxBodyBytes, restrictedBindIp, restrictedBindPort } = c.resolve<NodeConfig>(CONFIG).rpc;
    const main = { bindIp, bindPort, login, restricted, maxBodyBytes, tls: loadRpcTls(ssl) };
    const second = restrictedBindPort === null ? undefined : { bindIp: restrictedBindIp ?? bindIp, bindPort: restrictedBindPort };
    const listeners = new RpcListeners(main, rpcZoneListeners(zones), c.resolve<RpcMethodRegistry>(RPC_METHODS), c.resolve<Logger>(LOGGER), second);
    const observed = metrics(c);
    if (observed !== undefined) for (const server of listeners.servers) server.observe(observed.rpcRequest);
    return listeners;
  });
  registerServices(root, prepared);
  single(
    root,
    NODE,
    (c) =>
      new Node({
        root: c,
        config: c.resolve<NodeConfig>(CONFIG),
        dataDir: prepared.dataDir,
        zones: prepared.zones,
        registry: c.resolve<PluginRegistry>(PLUGIN_REGISTRY),
        rpc: c.resolve<RpcListeners>(RPC_SERVER),
        handler: c.resolve<ConnectionHandler>(CONNECTION_HANDLER),
        relayQueue: c.resolve<RelayService>(RELAY_SERVICE),
        services: c.resolveAll<NodeService>(NODE_SERVICE),
        stopHooks: prepared.stopHooks,
        pluginRuntime: prepared.pluginRuntime,
        logger: c.resolve<Logger>(LOGGER),
        zoneStartTimeoutMs: options.zoneStartTimeoutMs,
      }),
  );
  single(root, VEILNODE, (c) => new Veilnode(c.resolve<Node>(NODE), c.resolve<PeerService>(PEER_SERVICE), c.resolve<RelayService>(RELAY_SERVICE), c));
  options.overrides?.(root);

  const veilnode = root.resolve<Veilnode>(VEILNODE);
  const sources = root.resolve<PeerRpcSources>(PEER_RPC_SOURCES);
  const upstream = root.isRegistered(UPSTREAM) ? root.resolve<Required<UpstreamParts>>(UPSTREAM) : {};
  registerGetZones(prepared.rpcMethods, veilnode.node);
  attachNodeRpc(prepared, root.resolve<RpcListeners>(RPC_SERVER), veilnode.relay, { zoneHealth: veilnode.node, chain: sources, connections: sources, peers: sources }, upstream);
  return veilnode;
}

/**
 * The node's services, in start order: the relay engine (journal replayed), the upstream and its
 * tx watch, the peer layer's zones (stores loaded under the data-dir lock, before any zone
 * accepts; stopped before the zones so live outbound peers are kept as anchors), the activity
 * log, the metrics server.
 */
function registerServices(root: DependencyContainer, prepared: PreparedNode): void {
  const service = (build: (c: DependencyContainer) => NodeService): void => void root.register<NodeService>(NODE_SERVICE, { useFactory: instanceCachingFactory(build) });
  service((c) => {
    const relay = c.resolve<RelayService>(RELAY_SERVICE);
    return { name: 'relay', start: () => relay.start(), stop: () => relay.stop() };
  });
  if (root.isRegistered(UPSTREAM)) {
    service((c) => {
      const { upstream, watch } = c.resolve<Required<UpstreamParts>>(UPSTREAM);
      return { name: 'upstream', start: async () => (watch.start(), upstream.start()), stop: async () => (watch.stop(), upstream.close()) };
    });
  }
  service((c) => {
    const peers = c.resolve<PeerService>(PEER_SERVICE);
    const openZones = async (): Promise<void> => {
      const node = c.resolve<Node>(NODE);
      for (const zone of prepared.zones) {
        const { codec, policy } = prepared.registry.zone(zone.name)!.definition;
        await peers.openZone({
          config: zone,
          codec,
          policy,
          dial: (address, signal) => node.dial(zone.name, address, signal),
          healthy: () => node.zoneHealth().find((z) => z.zone === zone.name)?.healthy ?? true,
        });
      }
    };
    return { name: 'peers', start: openZones, stop: () => peers.stop(), stopBeforeZones: true };
  });
  service((c) => c.resolve<ZoneActivityLog>(ZONE_ACTIVITY));
  if (prepared.config.metrics.bind !== null) {
    service((c) => {
      const bind = parseIpPort(prepared.config.metrics.bind as string) as HostPort; // validated by the schema
      const server = new MetricsServer(bind, c.resolve<NodeMetrics>(NODE_METRICS), prepared.logger.child({ component: 'metrics' }));
      return { name: 'metrics', start: () => server.start(), stop: () => server.stop() };
    });
  }
}

/** `rpc.upstream.address` (set): the upstream daemon, dialled through the zone that holds it, and its watch of our local txs. */
function upstreamParts(c: DependencyContainer, prepared: PreparedNode, node: () => Node): Required<UpstreamParts> {
  const sources = c.resolve<PeerRpcSources>(PEER_RPC_SOURCES);
  const logger = prepared.logger.child({ component: 'upstream' });
  const clock = c.resolve<Clock>(CLOCK);
  const upstream = createUpstream(prepared.config.rpc.upstream, {
    network: prepared.config.network,
    zones: prepared.zones.map((z) => ({ name: z.name, anonymity: prepared.registry.zone(z.name)?.definition.policy.anonymity ?? false })),
    openStream: async (address, dialOptions) => (await node().openConnection(node().parseAddress(address), dialOptions)).stream,
    publicNodes: sources,
    connections: sources,
    clock,
    logger,
  })!; // defined: the address is set
  const watch = new UpstreamTxWatch(upstream, c.resolve<RelayService>(RELAY_SERVICE), clock, logger, { intervalMs: prepared.config.rpc.upstream.watchIntervalMs });
  return { upstream, watch };
}

/** monerod's kB/s limits as shared byte budgets (monerod's kB is 1024 bytes). */
function peerRateLimits(p2p: NodeConfig['p2p'], clock: Clock): PeerRateLimits {
  return { up: new TokenBucket(p2p.limitRateUp * 1024, clock), down: new TokenBucket(p2p.limitRateDown * 1024, clock), clock };
}

/** The relay's local txs by state, as the metrics label them. */
function localTxsByState(status: RelayStatus): Record<string, number> {
  return { queued: status.localWaiting, in_flight: status.localInFlight };
}
