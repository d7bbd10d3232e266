import type { Logger } from '../api/logger';
import { PeerRelayPort } from '../peer/peer-relay-port';
import { PeerService, type PeerServiceOptions } from '../peer/peer-service';
import { composeNode } from './compose-node';
import type { Node, NodeSummary } from './node';
import { createRelayService } from './monerod-rpc-wiring';
import { PeerRpcSources } from './peer-rpc-sources';
import type { PreparedNode } from './prepare-node';
import type { RelayService } from './relay-service';

export interface VeilnodeOptions {
  /** Per-zone start deadline (default ZONE_START_TIMEOUT_MS). */
  readonly zoneStartTimeoutMs?: number;
  /** Peer-layer tuning (tests shorten the outbound refill interval). */
  readonly peers?: Pick<PeerServiceOptions, 'maintenanceIntervalMs' | 'timeouts' | 'allowLoopback'>;
}

/**
 * The running product: the kernel Node (zones, transports, RPC, the relay engine with its
 * durable journal) with the Levin peer layer as its ConnectionHandler. Start order: data-dir
 * lock, relay engine, zones, RPC (Node.start), then each zone's outbound maintenance (it dials
 * through Node.dial, so the zone must run). Stop: outbound maintenance and peer connections
 * (stores saved, outbound peers kept as anchors), then the Node (RPC, zones, relay engine and
 * journal, plugins' hooks).
 */
export class Veilnode {
  private stopping: Promise<void> | undefined;

  constructor(
    readonly node: Node,
    readonly peers: PeerService,
    readonly relay: RelayService,
    private readonly prepared: PreparedNode,
  ) {}

  async start(): Promise<NodeSummary> {
    const summary = await this.node.start();
    try {
      for (const zone of this.prepared.zones) {
        const { codec, policy } = this.prepared.registry.zone(zone.name)!.definition;
        await this.peers.startZone({ config: zone, codec, policy, dial: (address, signal) => this.node.dial(zone.name, codec.format(address), signal) });
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
    return summary;
  }

  /** Graceful stop (idempotent). */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    try {
      await this.peers.stop();
    } catch (error) {
      this.prepared.logger.error({ what: 'peers', err: (error as Error).message }, 'error while stopping');
    }
    await this.node.stop();
  }
}

/**
 * The one place the product is assembled: the peer layer, the relay engine (built once, here)
 * and the RPC. The engine gets the peer layer as its outbound port;
 * the peer layer reports received txs and connection changes to it; the RPC submits local txs
 * to it and reads the peer layer's connections, peer lists and chain tops.
 */
export function composeVeilnode(prepared: PreparedNode, options: VeilnodeOptions = {}): Veilnode {
  const logger: Logger = prepared.logger.child({ component: 'p2p' });
  const peers = new PeerService({ network: prepared.config.network, dataDir: prepared.dataDir, logger, ...options.peers });
  const sources = new PeerRpcSources(
    peers,
    prepared.zones.map((zone) => ({ name: zone.name, codec: prepared.registry.zone(zone.name)!.definition.codec })),
  );
  const relay = createRelayService(prepared, new PeerRelayPort(peers));
  const { node } = composeNode(prepared, {
    connectionHandler: peers.layer,
    relay,
    rpcSources: { chain: sources, connections: sources, peers: sources },
    zoneStartTimeoutMs: options.zoneStartTimeoutMs,
  });
  peers.layer.setTxSink(relay);
  peers.layer.setConnectionObserver(relay);
  return new Veilnode(node, peers, relay, prepared);
}
