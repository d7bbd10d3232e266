import { ConfigError, type Logger, type Clock, type TimerHandle } from '@veilnode/plugin-api';
import { DandelionRouter } from '../dandelion/dandelion-router';
import { StemPool } from '../dandelion/stem-pool';
import type { CovertSlotBuilder } from '../noise/covert-slot-builder';
import { NoiseScheduler } from '../noise/noise-scheduler';
import { uniformDelay } from '../time/distributions';
import type { Rng } from '../time/rng';
import { ConnectionRotator } from './connection-rotator';
import { FluffScheduler } from './fluff-scheduler';
import type { LocalTxStore, RejectedTx } from './local-tx-store';
import { OutboundSelection } from '../routing/outbound-selection';
import type { DeliveryEvidence, LocalTxEvents } from './local-tx-events';
import { LocalTxLog } from './local-tx-log';
import { PeerHeightFilter } from './peer-height-filter';
import type { RelayableTx } from '@veilnode/protocol';
import { PeerTxQuota } from './peer-tx-quota';
import { DropAttribution } from './drop-attribution';
import { SourcePenalties } from './source-penalties';
import { DEFAULT_CROSS_ZONE_DELAY, DEFAULT_DELIVERY_CONFIRM_MS, type RelayEngineConfig, type RelayZoneConfig } from './relay-engine-config';
import { RelayError } from './relay-errors';
import { RejectionTracker, type ConnectionClose } from './rejection-tracker';
import type { CloseReason, RelayOutboundPort } from './relay-outbound-port';
import { LOCAL_SOURCE, RelayPool, type PoolEntry, type RelayState, type TxSource } from './relay-pool';
import type { ConnectionId, Direction, RelayTx } from '../routing/types';
import type { CarrierOpener } from './carrier-port';
import type { PrivateBroadcastStatus } from './echo-tracker';
import { PrivateBroadcast } from './private-broadcast';
import { RecentlyMinedTxs } from './recently-mined';

export interface RelayEngineDeps {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly port: RelayOutboundPort;
  /** Durable home of local txs until delivered (DurableTxQueue in the node). */
  readonly store: LocalTxStore;
  /** Monero tx hash (hex) of a tx blob. */
  readonly txId: (blob: Uint8Array) => string;
  /**
   * The relay rules a received tx must pass before it is kept or relayed (checkRelayable in
   * the node); throws for a tx monerod would reject. Absent: every tx passes, with no key images.
   */
  readonly checkTx?: (blob: Uint8Array) => RelayableTx;
  /** Required when a zone has noise on. */
  readonly slotBuilder?: CovertSlotBuilder;
  readonly logger?: Logger;
  /** Told each state change of a local tx; default: a LocalTxLog on `logger`. */
  readonly localTxEvents?: LocalTxEvents;
  /** Wall clock (ms since the epoch) for the local txs' age; default Date.now. */
  readonly wallClock?: () => number;
  /**
   * Per anonymity zone, what opens its carriers (private broadcast, with `config.privateBroadcast`).
   * When any is given, local txs go out only on carriers: never on the stem selection or noise channels.
   */
  readonly carriers?: ReadonlyMap<string, CarrierOpener>;
}

/** `sent`: handed to a zone now; `queued`: durable, waiting for a connection; `known`: already here. */
export interface SubmitResult {
  readonly txId: string;
  readonly status: 'sent' | 'queued' | 'known';
}

/** The transactions of one received NOTIFY_NEW_TRANSACTIONS, without repeated blobs. */
export interface IncomingTransactions {
  readonly zone: string;
  /** Opaque connection id (never embeds an address). */
  readonly connectionId: ConnectionId;
  /**
   * Opaque key of the sender's address group (never an address): what its txs are charged to.
   * Set by the peer layer; absent, the connection is its own group.
   */
  readonly sourceGroup?: string;
  readonly txs: readonly RelayTx[];
  /** false = Dandelion++ stem, true = fluff (the wire default). */
  readonly fluff: boolean;
}

/** `no-carrier`: private broadcast has no warm carrier (or the tx used its hourly carriers). */
export type WaitReason = 'no-anonymity-connection' | 'no-connection' | 'no-carrier';

export interface RelayStatus {
  /** Local txs waiting for a connection, and why. */
  readonly localWaiting: number;
  readonly waitReason: WaitReason | null;
  /** Local txs handed to a zone and not yet confirmed delivered. */
  readonly localInFlight: number;
  readonly pool: Record<RelayState, number>;
}

interface PublicZone {
  readonly kind: 'public';
  readonly config: RelayZoneConfig;
  readonly heights: PeerHeightFilter;
  readonly router: DandelionRouter;
  readonly fluffer: FluffScheduler;
}

interface AnonymityZone {
  readonly kind: 'anonymity';
  readonly config: RelayZoneConfig;
  readonly heights: PeerHeightFilter;
  /** Noise on: the channels are the zone's stem selection. */
  readonly noise?: NoiseScheduler;
  readonly selection?: OutboundSelection;
  readonly rotator?: ConnectionRotator;
}

type Zone = PublicZone | AnonymityZone;

interface LocalDelivery {
  readonly tx: RelayTx;
  /** `paced`: waits for its connection's verdict window on the previous local tx; `private`: the echo tracker has it. */
  phase: 'waiting' | 'paced' | 'sending' | 'confirming' | 'private';
  /** `zone␀connection` of the connections that carried it, while confirming. */
  readonly carriers: Set<string>;
  timer: TimerHandle | undefined;
}

const LOCAL_KEY = 'local:';
const FORWARD_KEY = 'forward:';
const carrier = (zone: string, id: ConnectionId) => `${zone}\u0000${id}`;
const carrierZone = (key: string) => key.slice(0, key.indexOf('\u0000'));

/**
 * The anonymity relay engine: decides who gets which tx, when, and in which mode, for every
 * zone. It has no I/O of its own — sends go through the RelayOutboundPort, time through the
 * injected Clock, chance through the injected Rng — so many engines can run in one process in
 * virtual time. Nothing it emits depends on the clock's reading: the port receives only tx
 * blobs, a fluff flag and frames from the slot builder (no clock fingerprint, issue rule 7).
 *
 * Routing (issue 5):
 * - local txs go only to anonymity zones when any is enabled, stemmed on the zone's 2 selected
 *   outbound connections (over noise channels when noise is on); with no connection they wait,
 *   durable in the LocalTxStore, and count as delivered once seen back on the public zone or
 *   after their carrier stayed up for `deliveryConfirmMs`;
 * - public zone: Dandelion++ (epochs, stems, embargo, loop detection, Poisson fluff);
 * - a tx is relayed at once within the zone it came from and crosses to other zones after
 *   U(0, 30 s) — a tx from an anonymity zone reaches the public zone only then, as fluff;
 * - only fluffed txs are visible in the public pool listing.
 */
export class RelayEngine {
  private readonly zones = new Map<string, Zone>();
  private readonly publicZone: PublicZone | undefined;
  private readonly anonymityZones: AnonymityZone[] = [];
  private readonly pool: RelayPool;
  private readonly quota: PeerTxQuota;
  /** Connections (`zone␀id`) closed for junk, a flood or their source's penalty: whatever else they sent is dropped. */
  private readonly penalised = new Set<string>();
  /** Strikes and penalties per source (`zone␀group`), for the drops its txs caused. */
  private readonly penalties: SourcePenalties;
  /** Which sources' forwarded txs went on which connection, to blame them when it is dropped. */
  private readonly drops: DropAttribution;
  /** The live connections that sent us txs, per source: closed when the source is penalised. */
  private readonly sourceConnections = new Map<TxSource, Map<string, { readonly zone: string; readonly connectionId: ConnectionId }>>();
  /** The source of each live connection in `sourceConnections`, by `zone␀id`. */
  private readonly connectionSource = new Map<string, TxSource>();
  private readonly stemPool: StemPool;
  private readonly deliveries = new Map<string, LocalDelivery>();
  /** Pending zone crossings by `txId␀zone`. */
  private readonly crossings = new Map<string, TimerHandle>();
  /** Txs whose crossing to other zones has been scheduled (once per tx). */
  private readonly spread = new Set<string>();
  /** Per tx, the connections (per zone) that sent it to us: they never get it back from us. */
  private readonly heardFrom = new Map<string, Map<string, Set<ConnectionId>>>();
  private readonly crossDelay: { readonly minMs: number; readonly maxMs: number };
  private readonly confirmMs: number;
  /** Private broadcast (carriers + echo), when carrier openers were given: then the only way out for local txs. */
  private readonly privateBroadcast: PrivateBroadcast | undefined;
  private readonly recentlyMined = new RecentlyMinedTxs();
  private dispatchTimer: TimerHandle | undefined;
  private pacedTimer: TimerHandle | undefined;
  private readonly rejections: RejectionTracker;
  private readonly wallClock: () => number;
  private readonly localTxEvents: LocalTxEvents | undefined;
  private reportedWaiting = 0;
  private running = false;

  constructor(
    config: RelayEngineConfig,
    private readonly deps: RelayEngineDeps,
  ) {
    this.crossDelay = config.crossZoneDelay ?? DEFAULT_CROSS_ZONE_DELAY;
    this.confirmMs = config.deliveryConfirmMs ?? DEFAULT_DELIVERY_CONFIRM_MS;
    if (this.crossDelay.minMs < 0 || this.crossDelay.maxMs < this.crossDelay.minMs) {
      throw new ConfigError('relay cross-zone delay must satisfy 0 <= minMs <= maxMs', { path: 'relay.crossZoneDelay', ...this.crossDelay });
    }
    const { clock, rng } = deps;
    this.wallClock = deps.wallClock ?? Date.now;
    this.localTxEvents = deps.localTxEvents ?? (deps.logger === undefined ? undefined : new LocalTxLog(deps.logger));
    this.rejections = new RejectionTracker(clock, config.rejection, (id, reason) => this.reject(id, reason), deps.logger);
    this.pool = new RelayPool(clock, { expired: (id) => this.expired(id), evicted: (id) => this.forget(id) }, config.pool);
    this.quota = new PeerTxQuota(clock, config.peerTxQuota);
    this.penalties = new SourcePenalties(clock, config.sourcePenalty);
    this.drops = new DropAttribution(clock, this.rejections.verdictWindowMs);
    this.stemPool = new StemPool(clock, rng, (id) => this.embargoExpired(id), config.embargoMeanMs);
    let publicZone: PublicZone | undefined;
    for (const zone of config.zones) {
      if (this.zones.has(zone.name)) throw new ConfigError(`relay zone ${zone.name} is listed twice`, { path: 'zones', zone: zone.name });
      if (!zone.anonymity) {
        if (publicZone !== undefined) throw new ConfigError(`only one public zone is supported (${publicZone.config.name}, ${zone.name})`, { path: 'zones', zone: zone.name });
        const heights = new PeerHeightFilter();
        publicZone = {
          kind: 'public',
          config: zone,
          heights,
          router: new DandelionRouter(clock, rng, config.dandelion, undefined, heights),
          fluffer: new FluffScheduler(clock, rng, (id, txs) => void this.send(zone.name, id, txs, true), config.fluff),
        };
        this.zones.set(zone.name, publicZone);
        continue;
      }
      const anonymity = this.createAnonymityZone(zone, config);
      this.anonymityZones.push(anonymity);
      this.zones.set(zone.name, anonymity);
    }
    this.publicZone = publicZone;
    if (deps.carriers !== undefined && deps.carriers.size > 0) {
      if (config.privateBroadcast === undefined) throw new ConfigError('carrier openers were given without a private broadcast config', { path: 'relay.privateBroadcast' });
      this.privateBroadcast = new PrivateBroadcast(config.zones, deps.carriers, config.privateBroadcast, { clock, rng, logger: deps.logger, delivered: (id) => this.delivered(id, 'echoed'), sent: (id, zones) => this.carriersTook(id, zones), carrierClosed: (id, close) => this.rejections.carrierClosed(id, close) });
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.publicZone?.router.start();
    for (const zone of this.anonymityZones) {
      zone.noise?.start();
      zone.selection?.start();
    }
    for (const tx of this.deps.store.pending()) {
      if (this.deliveries.has(tx.id)) continue;
      this.remember(tx, 'local');
      this.deliveries.set(tx.id, { tx, phase: 'waiting', carriers: new Set(), timer: undefined });
      this.rejections.track(tx.id, tx.queuedAt, this.wallClock());
    }
    this.dispatchLocal();
  }

  /** Cancels every timer. The store is left open: its owner closes it. */
  stop(): void {
    this.running = false;
    this.publicZone?.router.stop();
    this.publicZone?.fluffer.stop();
    for (const zone of this.anonymityZones) {
      zone.noise?.stop();
      zone.selection?.stop();
      zone.rotator?.stop();
    }
    this.stemPool.stop();
    this.privateBroadcast?.stop();
    for (const timer of this.crossings.values()) timer.cancel();
    this.crossings.clear();
    for (const delivery of this.deliveries.values()) delivery.timer?.cancel();
    this.pool.clear();
    this.dispatchTimer?.cancel();
    this.dispatchTimer = undefined;
    this.pacedTimer?.cancel();
    this.pacedTimer = undefined;
    this.rejections.stop();
  }

  /**
   * A tx from the wallet RPC. Resolves after the tx is durable in the store (before any send),
   * so a crash after the RPC answered cannot lose it.
   */
  async submitLocal(blob: Uint8Array): Promise<SubmitResult> {
    if (blob.length === 0) throw new RelayError('TX_EMPTY', 'transaction blob is empty');
    const id = this.deps.txId(blob);
    // Only a tx the world already sees (fluffed) is answered at once. Any other known tx — our
    // own still on its way, or a stem tx we relay for someone — takes the same durable path as a
    // new one: a spy holding a stem tx must not learn from the answer's timing that we hold it.
    if (this.pool.get(id)?.state === 'fluff') return this.accepted({ txId: id, status: 'known' });
    this.checkCovertFit(id, blob);
    const tx: RelayTx = { id, blob };
    const now = this.wallClock(); // wall time: the store keeps it across restarts
    await this.deps.store.enqueue(tx, now);
    if (this.deliveries.has(id)) return this.accepted({ txId: id, status: 'known' });
    if (this.pool.get(id)?.state === 'fluff') {
      await this.deps.store.markDelivered(id); // broadcast by others while we wrote it down
      return this.accepted({ txId: id, status: 'known' });
    }
    // a stem tx we were relaying becomes ours to deliver too: someone asked us to broadcast it
    this.remember(tx, 'local');
    this.deliveries.set(id, { tx, phase: 'waiting', carriers: new Set(), timer: undefined });
    // not delivering it before this call means the store did not hold it either: queued now
    this.rejections.track(id, now, now);
    this.dispatchLocal();
    return this.accepted({ txId: id, status: this.isWaiting(id) ? 'queued' : 'sent' });
  }

  /**
   * Carriers took a local tx: told after the submission's own answer (a first round runs inside
   * submitLocal), which is also when it happens: a carrier writes the tx in its next noise slot.
   */
  private carriersTook(txId: string, zones: readonly string[]): void {
    queueMicrotask(() => this.localTxEvents?.sent(txId, zones));
  }

  private accepted(result: SubmitResult): SubmitResult {
    this.localTxEvents?.accepted(result);
    return result;
  }

  /** NOTIFY_NEW_TRANSACTIONS from a peer; `fluff` is its dandelionpp_fluff flag (absent = true). */
  onTransactionsReceived(zone: string, connectionId: ConnectionId, txs: readonly Uint8Array[], fluff: boolean): void {
    this.receive({ zone, connectionId, txs: txs.map((blob) => ({ id: this.deps.txId(blob), blob })), fluff });
  }

  /**
   * The same with tx ids (the peer layer's `TxSink.receive` shape: computed when first read,
   * here only for txs within the sender's quota; an id that cannot be computed because the
   * blob does not parse counts as a tx that fails the relay rules). A tx new to
   * the pool must pass the relay rules (`checkTx`) and find room; a connection that sends one
   * that fails them, or more than its quota, is closed and nothing more it sent is relayed
   * (monerod drops a peer for the former, and we must not pass junk on to monerod peers).
   * Quota and pool share belong to the sender's source (address group), so reconnecting earns
   * neither anew; a penalised source's txs are dropped and its connections closed.
   */
  receive(batch: IncomingTransactions): void {
    const target = this.zone(batch.zone);
    if (this.penalised.has(carrier(batch.zone, batch.connectionId))) return;
    const source = carrier(batch.zone, batch.sourceGroup ?? batch.connectionId);
    this.noteSource(source, batch.zone, batch.connectionId);
    if (this.penalties.penalised(source)) return this.penalise(batch.zone, batch.connectionId, 'penalised-source');
    for (const received of batch.txs) {
      if (!this.quota.take(source, received.blob.length)) return this.penalise(batch.zone, batch.connectionId, 'tx-quota');
      const tx = this.withId(received);
      if (tx === undefined) return this.penalise(batch.zone, batch.connectionId, 'invalid-tx');
      // an arrival from anything but the tx's own carriers is its echo (the tracker tells them apart)
      this.privateBroadcast?.tracker.onTxReceived(tx.id, { kind: 'connection', zone: batch.zone, connectionId: batch.connectionId });
      if (this.recentlyMined.has(tx.id)) continue;
      const known = this.pool.has(tx.id);
      if (known) this.pool.addSource(tx.id, source);
      else {
        const admitted = this.admit(tx, target.kind === 'public' ? 'stem' : 'forward', source);
        if (admitted === 'invalid') return this.penalise(batch.zone, batch.connectionId, 'invalid-tx');
        if (!admitted) continue;
      }
      this.recordSender(tx.id, batch.zone, batch.connectionId);
      if (target.kind === 'public') this.receivePublic(target, batch.connectionId, tx, batch.fluff, known);
      else if (!known) this.receiveAnonymous(target, tx);
    }
  }

  /**
   * A connection finished its handshake and may carry txs. `height` is the chain height its peer
   * reported (undefined: unknown, the connection is then never held back for its height).
   */
  onConnectionUp(zone: string, connectionId: ConnectionId, direction: Direction, height?: number): void {
    const target = this.zone(zone);
    target.heights.connectionUp(connectionId, direction, height);
    if (target.kind === 'public') {
      target.router.connectionUp(connectionId, direction);
      target.fluffer.connectionUp(connectionId, direction);
    } else {
      target.noise?.connectionUp(connectionId, direction);
      target.selection?.connectionUp(connectionId, direction);
      target.rotator?.connectionUp(connectionId, direction);
      this.privateBroadcast?.zoneReachable(zone);
    }
    this.dispatchLocal();
  }

  /**
   * A timed sync (or handshake) told a new chain height for a connection. A stem or noise channel
   * that now lags keeps its place until the next re-draw (a message under way is not cut off);
   * an empty stem or channel slot takes a connection that qualifies now, and waiting txs go.
   */
  onConnectionHeight(zone: string, connectionId: ConnectionId, height: number): void {
    const target = this.zone(zone);
    if (!target.heights.update(connectionId, height)) return;
    if (target.kind === 'public') target.router.eligibilityChanged();
    else {
      target.noise?.eligibilityChanged();
      target.selection?.eligibilityChanged();
    }
    this.dispatchLocal();
  }

  /** `close`: how it ended, when the peer layer knows (a close by the peer may be a rejection). */
  onConnectionDown(zone: string, connectionId: ConnectionId, close?: ConnectionClose): void {
    const target = this.zone(zone);
    this.rejections.closed(carrier(zone, connectionId), close);
    this.penalised.delete(carrier(zone, connectionId));
    this.forgetConnectionSource(carrier(zone, connectionId));
    this.blameDrop(this.drops.closed(carrier(zone, connectionId), close));
    target.heights.connectionDown(connectionId);
    if (target.kind === 'public') {
      target.router.connectionDown(connectionId);
      target.fluffer.connectionDown(connectionId);
    } else {
      target.noise?.connectionDown(connectionId);
      target.selection?.connectionDown(connectionId);
      target.rotator?.connectionDown(connectionId);
    }
    const key = carrier(zone, connectionId);
    for (const delivery of this.deliveries.values()) {
      if (delivery.phase !== 'confirming' || !delivery.carriers.delete(key) || delivery.carriers.size > 0) continue;
      // Every connection that carried it died within the confirmation window: send it again.
      delivery.timer?.cancel();
      delivery.phase = 'waiting';
      this.scheduleDispatch();
    }
  }

  /** A private-broadcast carrier closed: forget what its txs made us note about it (it never was a stem or channel). */
  onCarrierDown(zone: string, connectionId: ConnectionId): void {
    this.penalised.delete(carrier(zone, connectionId));
    this.forgetConnectionSource(carrier(zone, connectionId));
  }

  /** Pool listing for public RPC queries: fluffed txs only. */
  publicTransactions(): PoolEntry[] {
    return [...this.pool.publicTxs()];
  }

  /** Every tx with its relay state, for the operator's own diagnostics. */
  transactions(): PoolEntry[] {
    return [...this.pool.allTxs()];
  }

  /**
   * A local tx the network has shown to be public (an upstream daemon lists it in its pool):
   * delivered, so it leaves the send journal and is not sent again after a restart.
   */
  confirmDelivered(txId: string): void {
    this.privateBroadcast?.tracker.onTxReceived(txId, { kind: 'upstream' });
    this.delivered(txId, 'in-upstream-pool');
  }

  /** Per local tx in private broadcast: carriers used, sends, echoes, delivered (get_relay_pool). */
  privateBroadcastStatus(): PrivateBroadcastStatus[] {
    return this.privateBroadcast?.tracker.status() ?? [];
  }

  /**
   * Drops a tx the node no longer needs to relay because it was mined (a local one waiting for
   * delivery included: there is nothing left to deliver). Unmined txs are forgotten by
   * themselves after the pool's lifetime, except local ones still waiting.
   */
  forget(txId: string): void {
    if (this.deliveries.has(txId)) this.delivered(txId, 'mined');
    this.discard(txId);
  }

  /** The tx is in a block: forgotten, and a late copy from a peer is not taken back in (RecentlyMinedTxs). */
  mined(txId: string): void {
    this.recentlyMined.add(txId);
    this.forget(txId);
  }

  /**
   * monerod's flush_txpool: drops queued local txs (all when `ids` is omitted) durably and stops
   * their delivery. Copies already handed to a noise channel still go out (cutting one would
   * leave a torn message on the link). Resolves with the ids dropped.
   */
  async flush(ids?: readonly string[]): Promise<string[]> {
    const dropped = await this.deps.store.drop(ids);
    for (const id of dropped) {
      this.abandon(id);
      this.deps.logger?.info({ txId: id }, 'local tx flushed: it will not be sent any more');
    }
    this.reportWaiting();
    return dropped;
  }

  /** Local txs the network refused (or that expired), with why; bounded by the store. */
  rejected(): RejectedTx[] {
    return this.deps.store.rejected();
  }

  /** Stops delivering a local tx the network refused and records it as rejected, durably. */
  private reject(id: string, reason: string): void {
    if (!this.deliveries.has(id)) return;
    this.abandon(id);
    this.localTxEvents?.rejected(id, reason);
    this.deps.store.markRejected(id, reason, this.wallClock()).catch((err: Error) => this.deps.logger?.error({ txId: id, err: err.message }, 'could not record a local tx as rejected; it will be sent again after restart'));
    this.reportWaiting();
  }

  /** Forgets a local tx that leaves the queue without being delivered. */
  private abandon(id: string): void {
    this.privateBroadcast?.tracker.cancel(id);
    const delivery = this.deliveries.get(id);
    delivery?.timer?.cancel();
    this.deliveries.delete(id);
    this.rejections.untrack(id);
    this.discard(id);
  }

  private discard(txId: string): void {
    this.pool.remove(txId);
    this.stemPool.release(txId);
    this.spread.delete(txId);
    this.heardFrom.delete(txId);
    for (const [key, timer] of this.crossings) {
      if (!key.startsWith(`${txId}\u0000`)) continue;
      timer.cancel();
      this.crossings.delete(key);
    }
  }

  status(): RelayStatus {
    const waiting = this.waitingCount();
    return {
      localWaiting: waiting,
      waitReason: waiting === 0 ? null : this.privateBroadcast !== undefined ? 'no-carrier' : this.anonymityZones.length > 0 ? 'no-anonymity-connection' : 'no-connection',
      localInFlight: this.deliveries.size - waiting,
      pool: this.pool.countByState(),
    };
  }

  /**
   * Local txs waiting for a connection of `zone` (the kernel's RelayQueue shape): they wait for
   * any anonymity zone, or for the public zone when no anonymity zone is enabled.
   */
  queued(zone: string): number {
    const target = this.zone(zone);
    const carriesLocal = target.kind === 'anonymity' || this.anonymityZones.length === 0;
    return carriesLocal ? this.waitingCount() : 0;
  }

  private createAnonymityZone(zone: RelayZoneConfig, config: RelayEngineConfig): AnonymityZone {
    const { clock, rng, port } = this.deps;
    const rotator =
      config.rotation === false
        ? undefined
        : new ConnectionRotator(
            clock,
            rng,
            zone.targetOutbound,
            { dial: (reason) => port.dial(zone.name, reason), close: (id, reason) => port.close(zone.name, id, reason) },
            config.rotation,
          );
    const heights = new PeerHeightFilter();
    if (!zone.noise) {
      return { kind: 'anonymity', config: zone, heights, selection: new OutboundSelection(clock, rng, () => undefined, config.anonymitySelection, heights), rotator };
    }
    const builder = this.deps.slotBuilder;
    if (builder === undefined) throw new ConfigError(`zone ${zone.name} has noise on but no covert slot builder was provided`, { path: `zones.${zone.name}.noise` });
    const noise = new NoiseScheduler(
      clock,
      rng,
      builder,
      (id, frame) => void port.sendNoiseSlot(zone.name, id, frame),
      {
        delivered: (key, id) => this.noiseDelivered(zone.name, key, id),
        failed: (key) => this.noiseFailed(key),
      },
      config.noise,
      heights,
    );
    return { kind: 'anonymity', config: zone, heights, noise, rotator };
  }

  /** Records the relay state of a tx in the pool; a local one joins the pool if new. */
  private remember(tx: RelayTx, state: RelayState): void {
    if (state === 'local') this.pool.addLocal(tx);
    else this.pool.setState(tx.id, state);
  }

  /** A local tx still being delivered outlives the pool's lifetime; anything else is forgotten. */
  private expired(txId: string): void {
    if (this.deliveries.has(txId)) this.pool.rearm(txId);
    else this.forget(txId);
  }

  /** A tx new to the pool: true when taken, false when refused for room or a double spend. */
  private admit(tx: RelayTx, state: RelayState, source: TxSource): boolean | 'invalid' {
    let keyImages: readonly string[] = [];
    if (this.deps.checkTx !== undefined) {
      try {
        keyImages = this.deps.checkTx(tx.blob).keyImages;
      } catch (err) {
        this.deps.logger?.debug({ txId: tx.id, reason: (err as Error).message }, 'received a transaction monerod would reject');
        return 'invalid';
      }
    }
    const refusal = this.pool.admit(tx, state, source, keyImages);
    if (refusal === undefined) return true;
    this.deps.logger?.debug({ txId: tx.id, refusal }, 'received transaction not taken into the relay pool');
    return false;
  }

  /** The tx with its id read (a lazy id may throw for a blob that does not parse): undefined then. */
  private withId(received: RelayTx): RelayTx | undefined {
    try {
      return { id: received.id, blob: received.blob };
    } catch (err) {
      this.deps.logger?.debug({ reason: (err as Error).message }, 'received a transaction that does not parse');
      return undefined;
    }
  }

  /**
   * Closes a connection that broke the relay rules or its quota; it gets nothing more relayed.
   * One info line per connection (the reason's details are at debug level).
   */
  private penalise(zone: string, connectionId: ConnectionId, reason: CloseReason): void {
    this.penalised.add(carrier(zone, connectionId));
    this.deps.logger?.info({ zone, reason }, 'closing a connection for the transactions it sent');
    this.deps.port.close(zone, connectionId, reason);
  }

  /**
   * An outbound peer dropped us right after these forwarded txs: a strike against the source of
   * each tx only one source sent us. Honest txs reach us from several peers, so honest sources
   * whose txs shared the message with the junk are not blamed.
   */
  private blameDrop(txIds: readonly string[]): void {
    const blamed = new Set<TxSource>();
    for (const id of txIds) {
      const sources = [...this.pool.sources(id)];
      if (sources.length === 1 && sources[0] !== LOCAL_SOURCE) blamed.add(sources[0]);
    }
    for (const source of blamed) this.strike(source);
  }

  /** One strike against a source; once penalised, its live connections are closed. */
  private strike(source: TxSource): void {
    if (!this.penalties.strike(source)) return;
    const { strikes, penaltyMs } = this.penalties.config;
    this.deps.logger?.warn({ drops: strikes, penaltyMinutes: Math.round(penaltyMs / 60_000) }, 'penalising a transaction source whose transactions got us dropped: its transactions are dropped and its connections closed');
    for (const { zone, connectionId } of this.sourceConnections.get(source)?.values() ?? []) {
      if (!this.penalised.has(carrier(zone, connectionId))) this.penalise(zone, connectionId, 'penalised-source');
    }
  }

  private noteSource(source: TxSource, zone: string, connectionId: ConnectionId): void {
    const key = carrier(zone, connectionId);
    if (this.connectionSource.has(key)) return;
    this.connectionSource.set(key, source);
    let connections = this.sourceConnections.get(source);
    if (connections === undefined) this.sourceConnections.set(source, (connections = new Map()));
    connections.set(key, { zone, connectionId });
  }

  private forgetConnectionSource(key: string): void {
    const source = this.connectionSource.get(key);
    if (source === undefined) return;
    this.connectionSource.delete(key);
    const connections = this.sourceConnections.get(source);
    connections?.delete(key);
    if (connections?.size === 0) this.sourceConnections.delete(source);
  }

  private recordSender(txId: string, zone: string, connectionId: ConnectionId): void {
    let zones = this.heardFrom.get(txId);
    if (zones === undefined) this.heardFrom.set(txId, (zones = new Map()));
    let senders = zones.get(zone);
    if (senders === undefined) zones.set(zone, (senders = new Set()));
    senders.add(connectionId);
  }

  private senders(txId: string, zone: string): ReadonlySet<ConnectionId> {
    return this.heardFrom.get(txId)?.get(zone) ?? new Set();
  }

  private zone(name: string): Zone {
    const zone = this.zones.get(name);
    if (zone === undefined) throw new RelayError('UNKNOWN_ZONE', `relay engine has no zone ${JSON.stringify(name)}`, { zone: name });
    return zone;
  }

  /** When every zone that carries local txs has noise on (with private broadcast: the carrier zones), a tx that cannot be packed could never leave. */
  private checkCovertFit(id: string, blob: Uint8Array): void {
    const builder = this.deps.slotBuilder;
    const carrierZones = this.privateBroadcast?.zones();
    const carrying = carrierZones === undefined ? this.anonymityZones : this.anonymityZones.filter((z) => carrierZones.includes(z.config.name));
    if (builder === undefined || carrying.length === 0 || carrying.some((z) => z.noise === undefined)) return;
    try {
      builder.packTransactions([blob]);
    } catch (cause) {
      throw new RelayError('TX_TOO_LARGE_FOR_NOISE', `transaction ${id} (${blob.length} bytes) does not fit the covert fragment limit of the noise zones`, { txId: id, bytes: blob.length }, { cause });
    }
  }

  // ---- local txs ------------------------------------------------------------------------

  private waitingCount(): number {
    let waiting = 0;
    for (const id of this.deliveries.keys()) if (this.isWaiting(id)) waiting++;
    return waiting;
  }

  /** Not handed to any connection yet: no connection, or (private broadcast) no carrier left for it. */
  private isWaiting(id: string): boolean {
    const delivery = this.deliveries.get(id);
    if (delivery?.phase !== 'private') return delivery?.phase === 'waiting';
    const waiting = this.privateBroadcast?.tracker.statusOf(id)?.waiting;
    return waiting === 'no-carrier' || waiting === 'hourly-cap';
  }

  private scheduleDispatch(): void {
    if (this.dispatchTimer !== undefined || !this.running) return;
    this.dispatchTimer = this.deps.clock.setTimer(0, () => {
      this.dispatchTimer = undefined;
      this.dispatchLocal();
    });
  }

  private dispatchLocal(): void {
    if (!this.running) return;
    let paced = false;
    for (const delivery of this.deliveries.values()) {
      if (delivery.phase !== 'waiting' && delivery.phase !== 'paced') continue;
      const outcome = this.sendLocal(delivery.tx);
      if (outcome === 'private') delivery.phase = 'private';
      else if (outcome === 'sending') delivery.phase = 'sending';
      else if (outcome === 'paced') delivery.phase = 'paced';
      else if (outcome.length > 0) this.confirm(delivery, outcome);
      else delivery.phase = 'waiting';
      paced ||= outcome === 'paced';
    }
    if (paced && this.pacedTimer === undefined) {
      this.pacedTimer = this.deps.clock.setTimer(this.rejections.verdictWindowMs, () => {
        this.pacedTimer = undefined;
        this.dispatchLocal();
      });
    }
    this.reportWaiting();
  }

  /**
   * 'sending' when queued on noise channels, 'paced' when its connections still await a verdict
   * on the previous local tx, else the carriers it was sent on (empty: none).
   */
  private sendLocal(tx: RelayTx): 'private' | 'sending' | 'paced' | string[] {
    if (this.privateBroadcast !== undefined) return this.sendPrivately(tx);
    if (this.anonymityZones.length === 0) return this.sendLocalPublic(tx);
    const full = (z: AnonymityZone) => (z.noise?.channelConnections() ?? z.selection?.connected() ?? []).length >= 2;
    const candidates = [...this.anonymityZones.filter(full), ...this.anonymityZones.filter((z) => !full(z))];
    for (const zone of candidates) {
      const outcome = this.sendAnonymous(zone, tx, 'local');
      if (outcome === 'sending' || outcome === 'paced' || outcome.length > 0) return outcome;
    }
    return [];
  }

  /**
   * Hands the tx to the echo tracker, which sends it on carriers only (or keeps it until one is
   * warm). A full tracker leaves it waiting here, durable, for the next dispatch: never elsewhere.
   */
  private sendPrivately(tx: RelayTx): 'private' | string[] {
    const tracker = (this.privateBroadcast as PrivateBroadcast).tracker;
    try {
      tracker.submit(tx);
      // resubmitted after its echo (the tracker remembers it an hour): nothing left to send
      if (tracker.statusOf(tx.id)?.delivered === true) this.delivered(tx.id, 'echoed');
      return 'private';
    } catch (err) {
      this.deps.logger?.warn({ txId: tx.id, err: (err as Error).message }, 'private broadcast cannot take the local tx now; it waits');
      return [];
    }
  }

  /** No anonymity zone enabled: Dandelion++ stem on the public zone (local txs always stem). */
  private sendLocalPublic(tx: RelayTx): 'paced' | string[] {
    const zone = this.publicZone;
    if (zone === undefined) return [];
    const route = zone.router.route(null);
    if (route.kind === 'stem' && this.busy(zone.config.name, route.connectionId)) return 'paced';
    if (route.kind === 'stem' && this.send(zone.config.name, route.connectionId, [tx], false, tx.id)) {
      // A re-send after a lost carrier keeps the running embargo (a second receiveStem would read as a loop).
      if (!this.stemPool.has(tx.id)) this.stemPool.receiveStem(tx.id);
      return [carrier(zone.config.name, route.connectionId)];
    }
    const targets = zone.fluffer.connections();
    if (targets.length === 0) return [];
    if (targets.some((id) => this.busy(zone.config.name, id))) return 'paced';
    this.fluffPublic(zone, tx);
    return targets.map((id) => carrier(zone.config.name, id));
  }

  private confirm(delivery: LocalDelivery, carriers: readonly string[]): void {
    delivery.phase = 'confirming';
    delivery.carriers.clear();
    for (const key of carriers) delivery.carriers.add(key);
    delivery.timer?.cancel();
    delivery.timer = this.deps.clock.setTimer(this.confirmMs, () => this.delivered(delivery.tx.id, 'carrier-stayed-up'));
    this.localTxEvents?.sent(delivery.tx.id, [...new Set(carriers.map(carrierZone))]);
  }

  private delivered(id: string, evidence: DeliveryEvidence): void {
    const delivery = this.deliveries.get(id);
    if (delivery === undefined) return;
    // delivered some other way (mined): the tracker stops sending it; an echoed tx stays in its status
    if (this.privateBroadcast?.tracker.statusOf(id)?.delivered === false) this.privateBroadcast.tracker.cancel(id);
    delivery.timer?.cancel();
    this.deliveries.delete(id);
    this.localTxEvents?.delivered(id, evidence);
    this.rejections.untrack(id);
    this.deps.store.markDelivered(id).catch((err: Error) => this.deps.logger?.error({ txId: id, err: err.message }, 'could not mark a local tx delivered; it will be sent again after restart'));
    this.reportWaiting();
  }

  private noiseDelivered(zone: string, key: string, connectionId: ConnectionId): void {
    // the message's last fragment went out: that is when the peer judges it
    this.rejections.sent(carrier(zone, connectionId), key.startsWith(LOCAL_KEY) ? key.slice(LOCAL_KEY.length) : undefined);
    if (key.startsWith(FORWARD_KEY)) this.drops.sent(carrier(zone, connectionId), [key.slice(FORWARD_KEY.length)]);
    if (!key.startsWith(LOCAL_KEY)) return;
    const delivery = this.deliveries.get(key.slice(LOCAL_KEY.length));
    if (delivery?.phase === 'sending') this.confirm(delivery, [carrier(zone, connectionId)]);
  }

  private noiseFailed(key: string): void {
    if (!key.startsWith(LOCAL_KEY)) return;
    const delivery = this.deliveries.get(key.slice(LOCAL_KEY.length));
    if (delivery?.phase !== 'sending') return;
    delivery.phase = 'waiting';
    this.scheduleDispatch();
  }

  private reportWaiting(): void {
    const waiting = this.waitingCount();
    if (waiting === this.reportedWaiting) return;
    this.reportedWaiting = waiting;
    const { waitReason } = this.status();
    if (waiting > 0) this.deps.logger?.warn({ waiting, reason: waitReason }, 'local transactions are held back until a connection can carry them');
    else this.deps.logger?.info({ waiting }, 'no local transaction is waiting any more');
  }

  // ---- received txs ---------------------------------------------------------------------

  private receivePublic(zone: PublicZone, source: ConnectionId, tx: RelayTx, fluff: boolean, known: boolean): void {
    zone.fluffer.withdraw(source, tx.id);
    // Our own tx seen on the public zone: it has left through an anonymity zone.
    if (this.deliveries.has(tx.id)) this.delivered(tx.id, 'seen-on-public-zone');
    const state = known ? this.pool.get(tx.id)?.state : undefined;
    if (state === 'fluff') return;
    if (fluff || state === 'forward') {
      this.fluffPublic(zone, tx);
      return;
    }
    if (this.stemPool.receiveStem(tx.id) === 'loop') {
      this.fluffPublic(zone, tx);
      return;
    }
    const route = zone.router.route(source);
    if (route.kind === 'stem' && this.send(zone.config.name, route.connectionId, [tx], false)) {
      this.remember(tx, 'stem');
      return;
    }
    this.fluffPublic(zone, tx);
  }

  private receiveAnonymous(zone: AnonymityZone, tx: RelayTx): void {
    this.sendAnonymous(zone, tx, 'forward');
    this.spreadAcrossZones(tx, zone.config.name);
  }

  private embargoExpired(id: string): void {
    const entry = this.pool.get(id);
    if (entry === undefined || this.publicZone === undefined) return;
    if (entry.state === 'stem' || entry.state === 'local') this.fluffPublic(this.publicZone, entry);
  }

  // ---- sending --------------------------------------------------------------------------

  private fluffPublic(zone: PublicZone, tx: RelayTx): void {
    this.stemPool.release(tx.id);
    const crossing = this.crossings.get(`${tx.id}\u0000${zone.config.name}`);
    crossing?.cancel();
    this.crossings.delete(`${tx.id}\u0000${zone.config.name}`);
    this.remember(tx, 'fluff');
    const senders = this.senders(tx.id, zone.config.name);
    zone.fluffer.enqueue(
      zone.fluffer.connections().filter((id) => !senders.has(id)),
      tx,
    );
    this.spreadAcrossZones(tx, zone.config.name);
  }

  /** Stem on the zone's selected outbound connections, or covertly on its noise channels. */
  private sendAnonymous(zone: AnonymityZone, tx: RelayTx, priority: 'local' | 'forward'): 'sending' | 'paced' | string[] {
    const name = zone.config.name;
    const exclude = this.senders(tx.id, name);
    if (zone.noise !== undefined) {
      let slots: Uint8Array[];
      try {
        slots = zone.noise.pack([tx.blob]);
      } catch (err) {
        this.deps.logger?.warn({ zone: name, txId: tx.id, err: (err as Error).message }, 'transaction too large for covert sending on this zone');
        return [];
      }
      const key = (priority === 'local' ? LOCAL_KEY : FORWARD_KEY) + tx.id;
      return zone.noise.enqueue({ key, slots, priority }, exclude) > 0 ? 'sending' : [];
    }
    const selected = (zone.selection?.connected() ?? []).filter((id) => !exclude.has(id));
    const localId = priority === 'local' ? tx.id : undefined;
    const targets = localId === undefined ? selected : selected.filter((id) => !this.busy(name, id));
    if (targets.length === 0 && selected.length > 0) return 'paced';
    return targets.filter((id) => this.send(name, id, [tx], false, localId)).map((id) => carrier(name, id));
  }

  /**
   * One tx message on a connection, noted for the rejection rule (`localId` when it is ours)
   * and, with its forwarded txs, for blaming their source if the peer drops us.
   */
  private send(zone: string, connectionId: ConnectionId, txs: readonly RelayTx[], fluff: boolean, localId?: string): boolean {
    if (!this.deps.port.send(zone, connectionId, txs.map((tx) => tx.blob), { fluff })) return false;
    this.rejections.sent(carrier(zone, connectionId), localId);
    this.drops.sent(carrier(zone, connectionId), txs.filter((tx) => tx.id !== localId).map((tx) => tx.id));
    return true;
  }

  /** A local tx went on this connection too recently for the peer's verdict on it to be in. */
  private busy(zone: string, connectionId: ConnectionId): boolean {
    return this.rejections.busyUntil(carrier(zone, connectionId)) > this.deps.clock.now();
  }

  /** Schedules, once per tx, its crossing into every other zone after an independent delay. */
  private spreadAcrossZones(tx: RelayTx, origin: string): void {
    if (this.spread.has(tx.id)) return;
    this.spread.add(tx.id);
    for (const zone of this.zones.values()) {
      const name = zone.config.name;
      if (name === origin) continue;
      const key = `${tx.id}\u0000${name}`;
      const delay = uniformDelay(this.deps.rng, this.crossDelay.minMs, this.crossDelay.maxMs - this.crossDelay.minMs);
      this.crossings.set(
        key,
        this.deps.clock.setTimer(delay, () => {
          this.crossings.delete(key);
          if (zone.kind === 'anonymity') this.sendAnonymous(zone, tx, 'forward');
          else if (this.pool.get(tx.id)?.state !== 'fluff') this.fluffPublic(zone, tx);
        }),
      );
    }
  }
}
