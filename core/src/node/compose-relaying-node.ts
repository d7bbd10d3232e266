import { PeerService } from '../peer/peer-service';
import type { PeerTimeouts } from '../peer/peer-connection';
import { composeNode } from './compose-node';
import { createRelayService } from './monerod-rpc-wiring';
import type { Node, NodeSummary } from './node';
import { PeerRelayPort } from './peer-relay-port';
import { PeerRpcSources } from './peer-rpc-sources';
import type { PreparedNode } from './prepare-node';
import { RelayingConnectionHandler } from './relaying-connection-handler';
import type { RelayService } from './relay-service';

export interface RelayingNodeOptions {
  /** Keep loopback peers from peer lists (loopback test networks only). */
  readonly allowLoopback?: boolean;
  readonly maintenanceIntervalMs?: number;
  readonly peerTimeouts?: Partial<PeerTimeouts>;
  readonly zoneStartTimeoutMs?: number;
}

/** A node with the whole relay path: peer layer ⇄ relay engine ⇄ monerod RPC. */
export interface RelayingNode {
  readonly node: Node;
  readonly relay: RelayService;
  readonly peers: PeerService;
  readonly connections: RelayingConnectionHandler;
  /** Starts the node, then each enabled zone's peer store and outbound upkeep (they dial through the running zones). */
  start(): Promise<NodeSummary>;
  /** Saves the peer stores and closes peer connections, then stops the node (RPC, zones, relay engine). */
  stop(): Promise<void>;
}

/**
 * Composes the node with the Levin peer layer as its ConnectionHandler, the relay engine
 * sending through it, and the monerod RPC reading the peer layer's chain tops, connections and
 * peer books. (composeNode alone runs without a peer layer: local txs then wait in the journal.)
 */
export function composeRelayingNode(prepared: PreparedNode, options: RelayingNodeOptions = {}): RelayingNode {
  const peers = new PeerService({
    network: prepared.config.network,
    dataDir: prepared.dataDir,
    logger: prepared.logger,
    allowLoopback: options.allowLoopback,
    maintenanceIntervalMs: options.maintenanceIntervalMs,
    timeouts: options.peerTimeouts,
  });
  const relay = createRelayService(prepared, new PeerRelayPort(peers.layer));
  const connections = new RelayingConnectionHandler(peers.layer, relay);
  const zones = prepared.zones.flatMap((zone) => {
    const definition = prepared.registry.zone(zone.name)?.definition;
    return definition === undefined ? [] : [{ zone, definition }];
  });
  const sources = new PeerRpcSources(
    peers,
    zones.map(({ zone, definition }) => ({ name: zone.name, codec: definition.codec })),
  );
  const { node } = composeNode(prepared, {
    connectionHandler: connections,
    relay,
    rpcSources: { chain: sources, peers: sources, connections },
    zoneStartTimeoutMs: options.zoneStartTimeoutMs,
  });
  return {
    node,
    relay,
    peers,
    connections,
    async start() {
      const summary = await node.start();
      try {
        for (const { zone, definition } of zones) {
          await peers.startZone({
            config: zone,
            codec: definition.codec,
            policy: definition.policy,
            dial: (address) => node.dial(zone.name, definition.codec.format(address)),
          });
        }
      } catch (error) {
        await peers.stop();
        await node.stop();
        throw error;
      }
      return summary;
    },
    async stop() {
      await peers.stop();
      await node.stop();
    },
  };
}
