import { join } from 'node:path';
import type { AddressCodec, PeerAddress, Logger, NetworkName, TransportConnection, ZoneConfig, ZonePolicy } from '@veilnode/plugin-api';
import { ZonePeerStore } from '../peerstore/zone-peer-store';
import { OutboundMaintainer } from './outbound-maintainer';
import { PeerLayer, type PeerZoneContext } from './peer-layer';
import type { PeerTimeouts } from './peer-connection';
import type { TxSink } from './tx-sink';
import type { PeerRateLimits } from '../net/throttled-stream';
import { outcomeOf, type PeerEvents } from './peer-events';
import { PeerGate } from './peer-gate';
import { SystemClock } from '@veilnode/plugin-api';
import { PeerCarrierOpener, type PeerCarrierOpenerOptions } from './peer-carrier-opener';
import type { CarrierNoise } from './peer-carrier';
import type { CarrierOpener } from '../relay/carrier-port';
import { CryptoRng } from '../time/rng';

export interface PeerServiceOptions {
  readonly network: NetworkName;
  /** The node's data dir: peer stores live in `<dataDir>/peers/<zone>.json`. */
  readonly dataDir: string;
  readonly logger: Logger;
  readonly txSink?: TxSink;
  /** Keep loopback peers from peer lists (loopback test networks only). */
  readonly allowLoopback?: boolean;
  readonly timeouts?: Partial<PeerTimeouts>;
  /** How often outbound slots are refilled. Default 2 s. */
  readonly maintenanceIntervalMs?: number;
  /** Pad every NOTIFY_NEW_TRANSACTIONS to a multiple of 1024 bytes (`--pad-transactions`). */
  readonly padTransactions?: boolean;
  /** Shared upload/download budgets of all peer traffic (--limit-rate-*). */
  readonly rateLimits?: PeerRateLimits;
  /** Dial, handshake and noise outcomes for the node's metrics. */
  readonly events?: PeerEvents;
  /** Banned (`--ban-list`) and backed-off peers; by default nobody is banned and flooders are still backed off. */
  readonly gate?: PeerGate;
}

export interface PeerZone {
  readonly config: ZoneConfig;
  readonly codec: AddressCodec;
  readonly policy: ZonePolicy;
  /** Dials a zone address, hands the connection to the layer and returns it (the kernel's Node.dial). */
  readonly dial: (address: PeerAddress, signal: AbortSignal) => Promise<TransportConnection>;
  /** The zone transport's health: dials failing while it is false do not count against peers. */
  readonly healthy?: () => boolean;
}

interface RunningZone extends PeerZoneContext {
  readonly zone: PeerZone;
  readonly store: ZonePeerStore;
  readonly maintainer: OutboundMaintainer;
  dialling: boolean;
}

/**
 * The peer layer as the node runs it: the PeerLayer (the kernel's ConnectionHandler) plus, per
 * zone, a persisted peer store and outbound connection maintenance. Zones never share a store.
 */
export class PeerService {
  readonly layer: PeerLayer;
  private readonly zones = new Map<string, RunningZone>();
  private readonly gate: PeerGate;

  constructor(private readonly options: PeerServiceOptions) {
    const gate = (this.gate = options.gate ?? PeerGate.open(new SystemClock()));
    this.layer = new PeerLayer({
      gate,
      network: options.network,
      logger: options.logger,
      txSink: options.txSink,
      timeouts: options.timeouts,
      padTransactions: options.padTransactions,
      rateLimits: options.rateLimits,
      events: options.events,
      zoneContext: (zone) => this.zones.get(zone),
    });
  }

  /** The store of a running zone. */
  store(zone: string): ZonePeerStore | undefined {
    return this.zones.get(zone)?.store;
  }

  /**
   * Loads the zone's store and readies its outbound maintenance without dialling. Call with the
   * data dir locked and before the zone accepts connections, so its first inbound peers already
   * get our port and fill the store.
   */
  async openZone(zone: PeerZone): Promise<void> {
    const name = zone.config.name;
    const logger = this.options.logger.child({ zone: name });
    const store = new ZonePeerStore({
      zone: name,
      codec: zone.codec,
      anonymity: zone.policy.anonymity,
      file: join(this.options.dataDir, 'peers', `${name}.json`),
      logger,
      allowLoopback: this.options.allowLoopback,
      isBanned: (address) => this.gate.isBanned(address),
    });
    await store.load();
    const maintainer = new OutboundMaintainer({
      zone: zone.config,
      codec: zone.codec,
      store,
      logger,
      connect: this.layer.connector(this.countedDial(name, zone.dial)),
      transportHealthy: zone.healthy,
      anonymity: zone.policy.anonymity,
      refused: (address) => this.gate.refusal(address) !== undefined,
    });
    this.zones.set(name, { zone, store, maintainer, listenPort: listenPort(zone.config), dialling: false });
  }

  /** Starts keeping the outbound peers of every opened zone. Call once their transports run. */
  startDialling(): void {
    for (const zone of this.zones.values()) {
      if (zone.dialling) continue;
      zone.dialling = true;
      zone.maintainer.start(this.options.maintenanceIntervalMs ?? 2000);
    }
  }

  /** openZone, then dial at once (the zone's transport already runs). */
  async startZone(zone: PeerZone): Promise<void> {
    await this.openZone(zone);
    this.startDialling();
  }

  /** One more outbound connection on `zone` (the relay engine's rotation); false when none can be dialled. */
  dialExtra(zone: string): boolean {
    return this.zones.get(zone)?.maintainer.dialExtra() ?? false;
  }

  /**
   * The private-broadcast carrier opener of `zone` (an anonymity zone whose transport gives fresh
   * identities). Made before the zone is opened; each open finds the zone's store then.
   */
  carrierOpener(zone: string, dial: PeerCarrierOpenerOptions['dial'], noise?: CarrierNoise): CarrierOpener {
    return new PeerCarrierOpener({
      layer: this.layer,
      zone: () => {
        const running = this.zones.get(zone);
        return running && { config: running.zone.config, codec: running.zone.codec, store: running.store };
      },
      dial,
      rng: new CryptoRng(),
      noise,
    });
  }

  /** Stops dialling, keeps the outbound peers as anchors, saves every store, closes connections. */
  async stop(): Promise<void> {
    // a zone that never dialled keeps the anchors it loaded (stop() would record none)
    for (const zone of this.zones.values()) if (zone.dialling) zone.maintainer.stop();
    this.layer.closeAll();
    await Promise.all([...this.zones.values()].map((z) => z.store.save()));
    this.zones.clear();
  }

  /** The zone's dial, its outcome told to the metrics. */
  private countedDial(zone: string, dial: PeerZone['dial']): PeerZone['dial'] {
    const events = this.options.events;
    if (events?.dialled === undefined) return dial;
    return async (address, signal) => {
      try {
        const connection = await dial(address, signal);
        events.dialled?.(zone, 'ok');
        return connection;
      } catch (error) {
        events.dialled?.(zone, outcomeOf(error));
        throw error;
      }
    };
  }
}

/** The port of `inbound.bind`, announced as my_port where the zone allows it (0 = ephemeral: none to announce). */
function listenPort(config: ZoneConfig): number | undefined {
  const port = config.inbound?.bind.port;
  return port === undefined || port === 0 ? undefined : port;
}
