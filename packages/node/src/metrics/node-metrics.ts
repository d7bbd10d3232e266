import { Counter, Gauge, Registry } from 'prom-client';
import type { ZoneStatus } from '../rpc/zone-status';
import type { PeerEvents } from '../peer/peer-events';
import type { RpcRequestObserver } from '../rpc/rpc-server';

/** What the gauges read when Prometheus scrapes. */
export interface NodeMetricsSources {
  zoneStatuses(): ZoneStatus[];
  /** Local txs by state (queued, in_flight). */
  localTxs(): Readonly<Record<string, number>>;
}

/**
 * The node's Prometheus metrics, in a registry of its own (nothing process-global). Labels are
 * zone names, directions, registered RPC method names and error codes: never a tx id or a peer
 * address.
 */
export class NodeMetrics implements PeerEvents {
  readonly registry = new Registry();
  private readonly dials: Counter<'zone' | 'outcome'>;
  private readonly handshakes: Counter<'zone' | 'direction' | 'outcome'>;
  private readonly noiseBytes: Counter<'zone'>;
  private readonly rpcRequests: Counter<'method' | 'status'>;

  constructor(sources: NodeMetricsSources) {
    const registers = [this.registry];
    new Gauge({
      name: 'veilnode_peers',
      help: 'Open peer connections per zone and direction',
      labelNames: ['zone', 'direction'],
      registers,
      collect() {
        for (const z of sources.zoneStatuses().filter((s) => s.enabled)) {
          this.set({ zone: z.name, direction: 'in' }, z.connections.in);
          this.set({ zone: z.name, direction: 'out' }, z.connections.out);
        }
      },
    });
    new Gauge({
      name: 'veilnode_zone_healthy',
      help: "1 while the zone's transport is healthy (e.g. its Tor proxy reachable), else 0",
      labelNames: ['zone'],
      registers,
      collect() {
        for (const z of sources.zoneStatuses().filter((s) => s.enabled)) this.set({ zone: z.name }, z.healthy ? 1 : 0);
      },
    });
    new Gauge({
      name: 'veilnode_local_txs',
      help: 'Local transactions by state',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, count] of Object.entries(sources.localTxs())) this.set({ state }, count);
      },
    });
    this.dials = new Counter({ name: 'veilnode_dials_total', help: 'Outbound transport dials by zone and outcome (ok or the failure reason)', labelNames: ['zone', 'outcome'], registers });
    this.handshakes = new Counter({
      name: 'veilnode_handshakes_total',
      help: 'Peer handshakes by zone, direction and outcome (ok or the failure reason)',
      labelNames: ['zone', 'direction', 'outcome'],
      registers,
    });
    this.noiseBytes = new Counter({ name: 'veilnode_noise_bytes_sent_total', help: 'Bytes of noise-slot frames sent (noise, covert fragments, padded txs)', labelNames: ['zone'], registers });
    this.rpcRequests = new Counter({ name: 'veilnode_rpc_requests_total', help: 'RPC requests by method (or endpoint) and status', labelNames: ['method', 'status'], registers });
  }

  dialled(zone: string, outcome: string): void {
    this.dials.inc({ zone, outcome });
  }

  handshaken(zone: string, direction: 'inbound' | 'outbound', outcome: string): void {
    this.handshakes.inc({ zone, direction, outcome });
  }

  noiseSent(zone: string, bytes: number): void {
    this.noiseBytes.inc({ zone }, bytes);
  }

  readonly rpcRequest: RpcRequestObserver = (method, status) => this.rpcRequests.inc({ method, status });

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
