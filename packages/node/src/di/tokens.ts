/**
 * DI tokens. Symbols, not classes or strings, so nothing outside core can register into the
 * containers by accident and two tokens can never collide.
 *
 * Root container: core services shared by every zone. A zone's child container: exactly that
 * zone's transport, codec, policy and settings. Zone tokens are never registered in the root,
 * so resolving them from another zone's container (or the root) fails.
 */

/** Root: the validated NodeConfig. */
export const CONFIG = Symbol('veilnode.config');
/** Root: the node's root Logger. */
export const LOGGER = Symbol('veilnode.logger');
/** Root: the PluginRegistry (zones, transports and what each plugin contributed). */
export const PLUGIN_REGISTRY = Symbol('veilnode.pluginRegistry');
/** Root: the JSON-RPC method registry plugins add methods to. */
export const RPC_METHODS = Symbol('veilnode.rpcMethods');
/** Root: the HTTP RPC server. */
export const RPC_SERVER = Symbol('veilnode.rpcServer');
/** Root: the ConnectionHandler every inbound/outbound connection is handed to (the peer layer). */
export const CONNECTION_HANDLER = Symbol('veilnode.connectionHandler');
/** Root: the one Clock of the node's services. */
export const CLOCK = Symbol('veilnode.clock');
/** Root: the Levin peer layer with its stores and outbound maintenance (PeerService). */
export const PEER_SERVICE = Symbol('veilnode.peerService');
/** Root: the peer layer's views the RPC reads (PeerRpcSources). */
export const PEER_RPC_SOURCES = Symbol('veilnode.peerRpcSources');
/** Root: the relay engine with its journal (RelayService); also how many txs each zone has queued. */
export const RELAY_SERVICE = Symbol('veilnode.relayService');
/** Root: the upstream daemon and its tx watch (UpstreamParts; both absent without rpc.upstream). */
export const UPSTREAM = Symbol('veilnode.upstream');
/** Root: the Prometheus gauges and counters; registered only with `--metrics-bind`. */
export const NODE_METRICS = Symbol('veilnode.nodeMetrics');
/** Root: the periodic zone activity log (ZoneActivityLog). */
export const ZONE_ACTIVITY = Symbol('veilnode.zoneActivity');
/**
 * Root, registered once per service: the NodeServices with the node's lifecycle, in start order
 * (the Node resolves them all; it stops them in reverse).
 */
export const NODE_SERVICE = Symbol('veilnode.nodeService');
/** Root: the Node. */
export const NODE = Symbol('veilnode.node');
/** Root: the running product (the Node with its peer layer's dialling). */
export const VEILNODE = Symbol('veilnode.veilnode');

/** Zone: the zone's name. */
export const ZONE_NAME = Symbol('veilnode.zone.name');
/** Zone: the zone's resolved ZoneConfig. */
export const ZONE_CONFIG = Symbol('veilnode.zone.config');
/** Zone: the one Transport serving the zone. */
export const ZONE_TRANSPORT = Symbol('veilnode.zone.transport');
/** Zone: the zone's AddressCodec. */
export const ZONE_CODEC = Symbol('veilnode.zone.codec');
/** Zone: the zone's ZonePolicy. */
export const ZONE_POLICY = Symbol('veilnode.zone.policy');
/** Zone: the zone's Logger (child of the root logger, bound to the zone name). */
export const ZONE_LOGGER = Symbol('veilnode.zone.logger');
