import { ConfigError } from '../api/errors';
import type { Logger } from '../api/logger';
import { DandelionRouter } from '../dandelion/dandelion-router';
import { StemPool } from '../dandelion/stem-pool';
import type { CovertSlotBuilder } from '../noise/covert-slot-builder';
import { NoiseScheduler } from '../noise/noise-scheduler';
import type { Clock, TimerHandle } from '../time/clock';
import { uniformDelay } from '../time/distributions';
import type { Rng } from '../time/rng';
import { ConnectionRotator } from './connection-rotator';
import { FluffScheduler } from './fluff-scheduler';
import type { LocalTxStore } from './local-tx-store';
import { OutboundSelection } from './outbound-selection';
import { PeerHeightFilter } from './peer-height-filter';
import { DEFAULT_CROSS_ZONE_DELAY, DEFAULT_DELIVERY_CONFIRM_MS, DEFAULT_POOL_LIFETIME_MS, type RelayEngineConfig, type RelayZoneConfig } from './relay-engine-config';
import { RelayError } from './relay-errors';
import type { RelayOutboundPort } from './relay-outbound-port';
import { TxPoolView, type PoolEntry, type RelayState } from './tx-pool-view';
import type { ConnectionId, Direction, RelayTx } from './types';

export interface RelayEngineDeps {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly port: RelayOutboundPort;
  /** Durable home of local txs until delivered (DurableTxQueue in the node). */
  readonly store: LocalTxStore;
  /** Monero tx hash (hex) of a tx blob. */
  readonly txId: (blob: Uint8Array) => string;
  /** Required when a zone has noise on. */
  readonly slotBuilder?: CovertSlotBuilder;
  readonly logger?: Logger;
}

/** `sent`: handed to a zone now; `queued`: durable, waiting for a connection; `known`: already here. */
export interface SubmitResult {
  readonly txId: string;
  readonly status: 'sent' | 'queued' | 'known';
}

/** One received NOTIFY_NEW_TRANSACTIONS (structurally the peer layer's IncomingTransactions). */
export interface IncomingTxBatch {
  readonly zone: string;
  readonly connectionId: ConnectionId;
  readonly txs: readonly RelayTx[];
  /** false = Dandelion++ stem, true = fluff (the wire default). */
  readonly fluff: boolean;
}

export type WaitReason = 'no-anonymity-connection' | 'no-connection';

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
  phase: 'waiting' | 'sending' | 'confirming';
  /** `zone␀connection` of the connections that carried it, while confirming. */
  readonly carriers: Set<string>;
  timer: TimerHandle | undefined;
}

const LOCAL_KEY = 'local:';
const FORWARD_KEY = 'forward:';
const carrier = (zone: string, id: ConnectionId) => `${zone}\u0000${id}`;

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
  private readonly pool = new TxPoolView();
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
  private readonly poolLifetimeMs: number;
  /** Per tx in the pool view, the timer that forgets it after `poolLifetimeMs`. */
  private readonly expiries = new Map<string, TimerHandle>();
  private dispatchTimer: TimerHandle | undefined;
  private reportedWaiting = 0;
  private running = false;

  constructor(
    config: RelayEngineConfig,
    private readonly deps: RelayEngineDeps,
  ) {
    this.crossDelay = config.crossZoneDelay ?? DEFAULT_CROSS_ZONE_DELAY;
    this.confirmMs = config.deliveryConfirmMs ?? DEFAULT_DELIVERY_CONFIRM_MS;
    this.poolLifetimeMs = config.poolLifetimeMs ?? DEFAULT_POOL_LIFETIME_MS;
    if (this.crossDelay.minMs < 0 || this.crossDelay.maxMs < this.crossDelay.minMs) {
      throw new ConfigError('relay cross-zone delay must satisfy 0 <= minMs <= maxMs', { path: 'relay.crossZoneDelay', ...this.crossDelay });
    }
    const { clock, rng } = deps;
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
          fluffer: new FluffScheduler(clock, rng, (id, txs) => void deps.port.send(zone.name, id, txs, { fluff: true }), config.fluff),
        };
        this.zones.set(zone.name, publicZone);
        continue;
      }
      const anonymity = this.createAnonymityZone(zone, config);
      this.anonymityZones.push(anonymity);
      this.zones.set(zone.name, anonymity);
    }
    this.publicZone = publicZone;
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
    for (const timer of this.crossings.values()) timer.cancel();
    this.crossings.clear();
    for (const delivery of this.deliveries.values()) delivery.timer?.cancel();
    for (const timer of this.expiries.values()) timer.cancel();
    this.expiries.clear();
    this.dispatchTimer?.cancel();
    this.dispatchTimer = undefined;
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
    if (this.pool.get(id)?.state === 'fluff') return { txId: id, status: 'known' };
    this.checkCovertFit(id, blob);
    const tx: RelayTx = { id, blob };
    await this.deps.store.enqueue(tx, Date.now()); // wall time: the store keeps it across restarts
    if (this.deliveries.has(id)) return { txId: id, status: 'known' };
    if (this.pool.get(id)?.state === 'fluff') {
      await this.deps.store.markDelivered(id); // broadcast by others while we wrote it down
      return { txId: id, status: 'known' };
    }
    // a stem tx we were relaying becomes ours to deliver too: someone asked us to broadcast it
    this.remember(tx, 'local');
    this.deliveries.set(id, { tx, phase: 'waiting', carriers: new Set(), timer: undefined });
    this.dispatchLocal();
    return { txId: id, status: this.deliveries.get(id)?.phase === 'waiting' ? 'queued' : 'sent' };
  }

  /** NOTIFY_NEW_TRANSACTIONS from a peer; `fluff` is its dandelionpp_fluff flag (absent = true). */
  onTransactionsReceived(zone: string, connectionId: ConnectionId, txs: readonly Uint8Array[], fluff: boolean): void {
    this.receive({ zone, connectionId, txs: txs.map((blob) => ({ id: this.deps.txId(blob), blob })), fluff });
  }

  /** The same with tx ids already computed: the peer layer's `TxSink.receive` shape. */
  receive(batch: IncomingTxBatch): void {
    const target = this.zone(batch.zone);
    for (const tx of batch.txs) {
      this.recordSender(tx.id, batch.zone, batch.connectionId);
      if (target.kind === 'public') this.receivePublic(target, batch.connectionId, tx, batch.fluff);
      else this.receiveAnonymous(target, tx);
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

  onConnectionDown(zone: string, connectionId: ConnectionId): void {
    const target = this.zone(zone);
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

  /** Pool listing for public RPC queries: fluffed txs only. */
  publicTransactions(): PoolEntry[] {
    return this.pool.publicTxs();
  }

  /** Every tx with its relay state, for the operator's own diagnostics. */
  transactions(): PoolEntry[] {
    return this.pool.allTxs();
  }

  /**
   * A local tx the network has shown to be public (an upstream daemon lists it in its pool):
   * delivered, so it leaves the send journal and is not sent again after a restart.
   */
  confirmDelivered(txId: string): void {
    this.delivered(txId);
  }

  /**
   * Drops a tx the node no longer needs to relay because it was mined (a local one waiting for
   * delivery included: there is nothing left to deliver). Unmined txs are forgotten by
   * themselves after `poolLifetimeMs`, except local ones still waiting.
   */
  forget(txId: string): void {
    if (this.deliveries.has(txId)) this.delivered(txId);
    this.expiries.get(txId)?.cancel();
    this.expiries.delete(txId);
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
      waitReason: waiting === 0 ? null : this.anonymityZones.length > 0 ? 'no-anonymity-connection' : 'no-connection',
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

  /** Records the tx's relay state; the first time, arms its expiry. */
  private remember(tx: RelayTx, state: RelayState): void {
    this.pool.set(tx, state);
    if (!this.expiries.has(tx.id)) this.armExpiry(tx.id);
  }

  private armExpiry(txId: string): void {
    this.expiries.set(
      txId,
      this.deps.clock.setTimer(this.poolLifetimeMs, () => {
        this.expiries.delete(txId);
        if (this.deliveries.has(txId)) this.armExpiry(txId);
        else this.forget(txId);
      }),
    );
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

  /** When every anonymity zone has noise on, a tx that cannot be packed could never leave. */
  private checkCovertFit(id: string, blob: Uint8Array): void {
    const builder = this.deps.slotBuilder;
    if (builder === undefined || this.anonymityZones.length === 0 || this.anonymityZones.some((z) => z.noise === undefined)) return;
    try {
      builder.packTransactions([blob]);
    } catch (cause) {
      throw new RelayError('TX_TOO_LARGE_FOR_NOISE', `transaction ${id} (${blob.length} bytes) does not fit the covert fragment limit of the noise zones`, { txId: id, bytes: blob.length }, { cause });
    }
  }

  // ---- local txs ------------------------------------------------------------------------

  private waitingCount(): number {
    let waiting = 0;
    for (const delivery of this.deliveries.values()) if (delivery.phase === 'waiting') waiting++;
    return waiting;
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
    for (const delivery of this.deliveries.values()) {
      if (delivery.phase !== 'waiting') continue;
      const outcome = this.sendLocal(delivery.tx);
      if (outcome === 'sending') delivery.phase = 'sending';
      else if (outcome.length > 0) this.confirm(delivery, outcome);
    }
    this.reportWaiting();
  }

  /** 'sending' when queued on noise channels, else the carriers it was sent on (empty: none). */
  private sendLocal(tx: RelayTx): 'sending' | string[] {
    if (this.anonymityZones.length === 0) return this.sendLocalPublic(tx);
    const full = (z: AnonymityZone) => (z.noise?.channelConnections() ?? z.selection?.connected() ?? []).length >= 2;
    const candidates = [...this.anonymityZones.filter(full), ...this.anonymityZones.filter((z) => !full(z))];
    for (const zone of candidates) {
      const outcome = this.sendAnonymous(zone, tx, 'local');
      if (outcome === 'sending' || outcome.length > 0) return outcome;
    }
    return [];
  }

  /** No anonymity zone enabled: Dandelion++ stem on the public zone (local txs always stem). */
  private sendLocalPublic(tx: RelayTx): string[] {
    const zone = this.publicZone;
    if (zone === undefined) return [];
    const route = zone.router.route(null);
    if (route.kind === 'stem' && this.deps.port.send(zone.config.name, route.connectionId, [tx.blob], { fluff: false })) {
      // A re-send after a lost carrier keeps the running embargo (a second receiveStem would read as a loop).
      if (!this.stemPool.has(tx.id)) this.stemPool.receiveStem(tx.id);
      return [carrier(zone.config.name, route.connectionId)];
    }
    const targets = zone.fluffer.connections();
    if (targets.length === 0) return [];
    this.fluffPublic(zone, tx);
    return targets.map((id) => carrier(zone.config.name, id));
  }

  private confirm(delivery: LocalDelivery, carriers: readonly string[]): void {
    delivery.phase = 'confirming';
    delivery.carriers.clear();
    for (const key of carriers) delivery.carriers.add(key);
    delivery.timer?.cancel();
    delivery.timer = this.deps.clock.setTimer(this.confirmMs, () => this.delivered(delivery.tx.id));
  }

  private delivered(id: string): void {
    const delivery = this.deliveries.get(id);
    if (delivery === undefined) return;
    delivery.timer?.cancel();
    this.deliveries.delete(id);
    this.deps.store.markDelivered(id).catch((err: Error) => this.deps.logger?.error({ txId: id, err: err.message }, 'could not mark a local tx delivered; it will be sent again after restart'));
    this.reportWaiting();
  }

  private noiseDelivered(zone: string, key: string, connectionId: ConnectionId): void {
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

  private receivePublic(zone: PublicZone, source: ConnectionId, tx: RelayTx, fluff: boolean): void {
    zone.fluffer.withdraw(source, tx.id);
    // Our own tx seen on the public zone: it has left through an anonymity zone.
    if (this.deliveries.has(tx.id)) this.delivered(tx.id);
    const state = this.pool.get(tx.id)?.state;
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
    if (route.kind === 'stem' && this.deps.port.send(zone.config.name, route.connectionId, [tx.blob], { fluff: false })) {
      this.remember(tx, 'stem');
      return;
    }
    this.fluffPublic(zone, tx);
  }

  private receiveAnonymous(zone: AnonymityZone, tx: RelayTx): void {
    if (this.pool.get(tx.id) !== undefined) return;
    this.remember(tx, 'forward');
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
  private sendAnonymous(zone: AnonymityZone, tx: RelayTx, priority: 'local' | 'forward'): 'sending' | string[] {
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
    const targets = (zone.selection?.connected() ?? []).filter((id) => !exclude.has(id));
    return targets.filter((id) => this.deps.port.send(name, id, [tx.blob], { fluff: false })).map((id) => carrier(name, id));
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
