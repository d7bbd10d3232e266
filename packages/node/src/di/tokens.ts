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
/** Root: the ConnectionHandler every inbound/outbound connection is handed to. */
export const CONNECTION_HANDLER = Symbol('veilnode.connectionHandler');
/** Root: how many transactions each zone has queued (relay engine hook). */
export const RELAY_QUEUE = Symbol('veilnode.relayQueue');
/** Root: the Node. */
export const NODE = Symbol('veilnode.node');

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
