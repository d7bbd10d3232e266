import { type Logger, SystemClock, type Clock, type PeerAddress, type TransportConnection } from '@veilnode/plugin-api';
import type { NodeConfig } from '../config/core-schema';
import type { PeerRateLimits } from '../net/throttled-stream';
import { TokenBucket } from '../net/token-bucket';
import { parseIpPort, type HostPort } from '../config/host-port';
import { RPC_SERVER } from '../di/tokens';
import { MetricsServer } from '../metrics/metrics-server';
import { NodeMetrics } from '../metrics/node-metrics';
import type { RpcListeners } from '../rpc/rpc-listeners';
import type { RelayStatus } from '../relay/relay-engine';
import { PeerRelayPort } from '../peer/peer-relay-port';
import { allOf, type PeerEvents } from '../peer/peer-events';
import { PeerService, type PeerServiceOptions } from '../peer/peer-service';
import { PeerGate } from '../peer/peer-gate';
import { composeNode } from './compose-node';
import type { Node, NodeService, NodeSummary } from './node';
import { ZoneActivityLog } from './zone-activity-log';
import { createRelayService } from './monerod-rpc-wiring';
import { PeerRpcSources } from './peer-rpc-sources';
import type { PreparedNode } from './prepare-node';
import type { RelayService } from './relay-service';
import { opensCarriers } from './carrier-zones';
import type { CarrierOpener } from '../relay/carrier-port';
import { LevinCovertSlotBuilder } from '../noise/levin-covert-slot-builder';
import { DEFAULT_NOISE } from '../noise/noise-scheduler';
import { CryptoRng } from '../time/rng';

export interface VeilnodeOptions {
  /** Per-zone start deadline (default ZONE_START_TIMEOUT_MS). */
  readonly zoneStartTimeoutMs?: number;
  /** Peer-layer tuning (tests shorten the outbound refill interval). */
  readonly peers?: Pick<PeerServiceOptions, 'maintenanceIntervalMs' | 'timeouts' | 'allowLoopback'>;
}

/**
 * The running product: the kernel Node (zones, transports, RPC, the relay engine with its
 * durable journal) with the Levin peer layer as its ConnectionHandler. Start order (Node.start):
 * data-dir lock, relay engine (journal replayed), peer stores loaded, zones, RPC; then outbound
 * maintenance (it dials through Node.dial, so the zones must run). Stop (Node.stop): RPC, then
 * outbound maintenance and peer connections (stores saved, the live outbound peers kept as
 * anchors), zones, relay engine and journal, plugins' hooks.
 */
export class Veilnode {
  constructor(
    readonly node: Node,
    readonly peers: PeerService,
    readonly relay: RelayService,
  ) {}

  async start(): Promise<NodeSummary> {
    const summary = await this.node.start();
    this.peers.startDialling();
    return summary;
  }

  /** Graceful stop (idempotent). */
  stop(): Promise<void> {
    return this.node.stop();
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
  // eslint-disable-next-line prefer-const -- assigned once composeNode has built the node the gauges read
  let node: Node;
  const metrics =
    prepared.config.metrics.bind === null
      ? undefined
      : new NodeMetrics({ zoneStatuses: () => node.zoneStatuses(), localTxs: () => localTxsByState(relay.status()) });
  const clock = new SystemClock();
  const activity = new ZoneActivityLog({ zoneStatuses: () => node.zoneStatuses(), relayStatus: () => relay.status() }, prepared.logger.child({ component: 'node' }), clock);
  const peers = new PeerService({
    network: prepared.config.network,
    dataDir: prepared.dataDir,
    logger,
    padTransactions: prepared.config.p2p.padTransactions,
    rateLimits: peerRateLimits(prepared.config.p2p, clock),
    events: allOf(metrics, activity),
    gate: new PeerGate(prepared.banList, clock),
    ...options.peers,
  });
  const sources = new PeerRpcSources(
    peers,
    prepared.zones.map((zone) => ({ name: zone.name, codec: prepared.registry.zone(zone.name)!.definition.codec })),
  );
  const relay = createRelayService(prepared, new PeerRelayPort(peers, metrics), carrierOpeners(prepared, peers, (zone, address, signal) => node.dialCarrier(zone, address, signal), metrics));
  // called by node.start(), once `node` is assigned: stores load under the data-dir lock, before any zone accepts
  const openPeerZones = async (): Promise<void> => {
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
  const services: NodeService[] = [{ name: 'peers', start: openPeerZones, stop: () => peers.stop(), stopBeforeZones: true }, activity];
  if (metrics !== undefined) services.push(metricsService(prepared, metrics));
  const composed = composeNode(prepared, {
    connectionHandler: peers.layer,
    relay,
    rpcSources: { chain: sources, connections: sources, peers: sources },
    services,
    zoneStartTimeoutMs: options.zoneStartTimeoutMs,
    publicRpcNodes: sources,
  });
  node = composed.node;
  if (metrics !== undefined) for (const server of composed.container.resolve<RpcListeners>(RPC_SERVER).servers) server.observe(metrics.rpcRequest);
  peers.layer.setTxSink(relay);
  peers.layer.setConnectionObserver(relay);
  return new Veilnode(node, peers, relay);
}

/**
 * Private broadcast (`relay.privateBroadcast.enabled`): a carrier opener for every anonymity zone
 * whose transport gives fresh identities. Other anonymity zones (I2P today) carry no local tx
 * while one has carriers; with none, local txs go as before private broadcast.
 */
function carrierOpeners(
  prepared: PreparedNode,
  peers: PeerService,
  dial: (zone: string, address: PeerAddress, signal: AbortSignal) => Promise<TransportConnection>,
  events?: Pick<PeerEvents, 'noiseSent'>,
): Map<string, CarrierOpener> {
  const openers = new Map<string, CarrierOpener>();
  if (!prepared.config.relay.privateBroadcast.enabled) return openers;
  for (const zone of prepared.zones) {
    if (!opensCarriers(prepared.registry, zone)) continue;
    const sent = (bytes: number) => events?.noiseSent?.(zone.name, bytes);
    const noise = zone.noise ? { builder: new LevinCovertSlotBuilder(), clock: new SystemClock(), rng: new CryptoRng(), timing: DEFAULT_NOISE, sent } : undefined;
    openers.set(zone.name, peers.carrierOpener(zone.name, (address, signal) => dial(zone.name, address, signal), noise));
  }
  if (openers.size > 0) prepared.logger.info({ zones: [...openers.keys()], fanout: prepared.config.relay.privateBroadcast.fanout }, 'private broadcast: each local tx goes out on carriers of its own on these zones');
  return openers;
}

/** monerod's kB/s limits as shared byte budgets (monerod's kB is 1024 bytes). */
function peerRateLimits(p2p: NodeConfig['p2p'], clock: Clock): PeerRateLimits {
  return { up: new TokenBucket(p2p.limitRateUp * 1024, clock), down: new TokenBucket(p2p.limitRateDown * 1024, clock), clock };
}

/** The relay's local txs by state, as the metrics label them. */
function localTxsByState(status: RelayStatus): Record<string, number> {
  return { queued: status.localWaiting, in_flight: status.localInFlight };
}

/** `--metrics-bind`: the metrics server runs with the node's lifecycle. */
function metricsService(prepared: PreparedNode, metrics: NodeMetrics): NodeService {
  const bind = parseIpPort(prepared.config.metrics.bind as string) as HostPort; // validated by the schema
  const server = new MetricsServer(bind, metrics, prepared.logger.child({ component: 'metrics' }));
  return { name: 'metrics', start: () => server.start(), stop: () => server.stop() };
}
