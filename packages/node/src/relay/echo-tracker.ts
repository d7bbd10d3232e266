import type { Logger, Clock, TimerHandle } from '@veilnode/plugin-api';
import type { CarrierPool } from './carrier-pool';
import { CarrierError, type CarrierClose, type CarrierHandle } from './carrier-port';
import type { ConnectionId, RelayTx } from '../routing/types';

export interface EchoTrackerConfig {
  /** Carriers per sending round (issue 14: default 2). */
  readonly fanout: number;
  /** A round not echoed within this is followed by a new round on new carriers; doubled each round. */
  readonly echoTimeoutMs: number;
  readonly maxEchoTimeoutMs: number;
  /** Fixed cap of carriers one tx may use in any hour: a peer that drops or stays silent cannot make us send to more. */
  readonly maxCarriersPerHour: number;
  /** Txs tracked at once (waiting, sending or delivered and kept for status). */
  readonly maxTxs: number;
  /** A delivered tx stays visible in `status` this long. */
  readonly keepDeliveredMs: number;
}

export const DEFAULT_ECHO_TRACKER: EchoTrackerConfig = Object.freeze({
  fanout: 2,
  echoTimeoutMs: 2 * 60_000,
  maxEchoTimeoutMs: 30 * 60_000,
  maxCarriersPerHour: 8,
  maxTxs: 1_000,
  keepDeliveredMs: 60 * 60_000,
});

const HOUR_MS = 60 * 60_000;

/** Where a tx came back from: a connection on any zone, or the upstream daemon. */
export type EchoSource = { readonly kind: 'connection'; readonly zone: string; readonly connectionId: ConnectionId } | { readonly kind: 'upstream' };

/** Per-tx counts for `get_relay_pool` (carrier ids are not shown: counts only). */
export interface PrivateBroadcastStatus {
  readonly txId: string;
  readonly carriersUsed: number;
  /** Carriers that took the tx (a carrier that was already gone does not count). */
  readonly sent: number;
  /** Arrivals of the tx from anything but its own carriers. */
  readonly echoed: number;
  readonly delivered: boolean;
  /** Why an undelivered tx is not being sent right now. */
  readonly waiting: 'no-carrier' | 'hourly-cap' | 'echo' | null;
}

interface Tracked {
  readonly tx: RelayTx;
  /** Connection ids of every carrier this tx used (an arrival on one of them is not an echo). */
  readonly carriers: Set<ConnectionId>;
  /** When each carrier was taken, for the hourly cap. */
  readonly takenAt: number[];
  sent: number;
  echoed: number;
  rounds: number;
  deliveredAt: number | undefined;
  waiting: PrivateBroadcastStatus['waiting'];
  timer: TimerHandle | undefined;
}

/**
 * Sends each local tx on carriers of its own and watches for its echo. A tx counts as delivered
 * only when it comes back from something other than its carriers (another anonymity peer, the
 * public zone, the upstream daemon); a carrier that merely stayed up proves nothing. Until then
 * it is sent again on new carriers, with doubling waits, at most `maxCarriersPerHour` carriers
 * per tx per hour. The only way out for a tx is `CarrierHandle.send` on a carrier the pools
 * handed out: with no carrier the tx waits, it never goes anywhere else.
 */
export class EchoTracker {
  private readonly config: EchoTrackerConfig;
  private readonly txs = new Map<string, Tracked>();
  private readonly waitingForCarrier = new Set<string>();

  constructor(
    private readonly pools: readonly CarrierPool[],
    private readonly deps: {
      readonly clock: Clock;
      readonly logger?: Logger;
      /** Runs once per tx, when it is first echoed (the node marks its journal entry delivered then). */
      readonly delivered?: (txId: string) => void;
      /** Runs after each round that handed the tx to carriers, with their zones (never a carrier's peer). */
      readonly sent?: (txId: string, zones: readonly string[]) => void;
      /**
       * A carrier that took the tx closed (the rejection rule judges it). true: its peer refused
       * the tx and the tx goes on: it takes one new carrier at once (within the hourly cap), as
       * for a carrier found gone at send time, instead of waiting out the echo timeout.
       */
      readonly carrierClosed?: (txId: string, close: CarrierClose) => boolean;
    },
    config: Partial<EchoTrackerConfig> = {},
  ) {
    this.config = { ...DEFAULT_ECHO_TRACKER, ...config };
    const c = this.config;
    if (!(Number.isInteger(c.fanout) && c.fanout > 0 && Number.isInteger(c.maxCarriersPerHour) && c.maxCarriersPerHour >= c.fanout && c.maxTxs > 0 && c.echoTimeoutMs > 0))
      throw new CarrierError('BAD_CONFIG', 'echo tracker needs fanout >= 1, maxCarriersPerHour >= fanout, maxTxs >= 1 and a positive echo timeout', { ...c });
    if (pools.length === 0) throw new CarrierError('BAD_CONFIG', 'echo tracker needs at least one anonymity zone carrier pool');
    for (const pool of pools) pool.onWarm(() => this.serveWaiting());
  }

  /** Starts private broadcast of a local tx; a tx already tracked is left as it is. */
  submit(tx: RelayTx): void {
    if (this.txs.has(tx.id)) return;
    if (this.txs.size >= this.config.maxTxs) this.forgetOldestDelivered();
    if (this.txs.size >= this.config.maxTxs) throw new CarrierError('TRACKER_FULL', `already ${this.txs.size} local txs in private broadcast`, { txId: tx.id, max: this.config.maxTxs });
    this.txs.set(tx.id, { tx, carriers: new Set(), takenAt: [], sent: 0, echoed: 0, rounds: 0, deliveredAt: undefined, waiting: null, timer: undefined });
    this.sendRound(tx.id);
  }

  /** The peer layer saw `txId` arrive; it is an echo unless it came on one of the tx's carriers. */
  onTxReceived(txId: string, from: EchoSource): void {
    const t = this.txs.get(txId);
    if (t === undefined) return;
    if (from.kind === 'connection' && t.carriers.has(from.connectionId)) return;
    t.echoed++;
    if (t.deliveredAt !== undefined) return;
    t.deliveredAt = this.deps.clock.now();
    t.waiting = null;
    t.timer?.cancel();
    this.waitingForCarrier.delete(txId);
    t.timer = this.deps.clock.setTimer(this.config.keepDeliveredMs, () => this.txs.delete(txId));
    this.deps.logger?.info({ txId, carriers: t.carriers.size, rounds: t.rounds }, 'local transaction delivered: it came back from the network');
    this.deps.delivered?.(txId);
  }

  /** Stops sending a tx (flushed, rejected, mined) and forgets it; copies already handed to carriers still go out. */
  cancel(txId: string): void {
    const t = this.txs.get(txId);
    if (t === undefined) return;
    t.timer?.cancel();
    this.waitingForCarrier.delete(txId);
    this.txs.delete(txId);
  }

  /** One tx's status; undefined when it is not tracked. */
  statusOf(txId: string): PrivateBroadcastStatus | undefined {
    const t = this.txs.get(txId);
    return t === undefined ? undefined : this.view(t);
  }

  status(): PrivateBroadcastStatus[] {
    return [...this.txs.values()].map((t) => this.view(t));
  }

  private view(t: Tracked): PrivateBroadcastStatus {
    return { txId: t.tx.id, carriersUsed: t.carriers.size, sent: t.sent, echoed: t.echoed, delivered: t.deliveredAt !== undefined, waiting: t.waiting };
  }

  stop(): void {
    for (const t of this.txs.values()) t.timer?.cancel();
    this.waitingForCarrier.clear();
  }

  /** Carriers this tx may still take now under the hourly cap. */
  private allowance(t: Tracked): number {
    const since = this.deps.clock.now() - HOUR_MS;
    while (t.takenAt.length > 0 && t.takenAt[0] <= since) t.takenAt.shift();
    return this.config.maxCarriersPerHour - t.takenAt.length;
  }

  private sendRound(txId: string): void {
    const t = this.txs.get(txId);
    if (t === undefined || t.deliveredAt !== undefined) return;
    t.timer?.cancel();
    t.timer = undefined;
    const wanted = Math.min(this.config.fanout, this.allowance(t));
    if (wanted === 0) {
      // Capped: try again when the oldest carrier of the hour ages out.
      t.waiting = 'hourly-cap';
      t.timer = this.deps.clock.setTimer(t.takenAt[0] + HOUR_MS - this.deps.clock.now(), () => this.sendRound(txId));
      return;
    }
    const wrote = this.hand(t, wanted);
    if (wrote === 0) {
      t.waiting = this.allowance(t) === 0 ? 'hourly-cap' : 'no-carrier';
      if (t.waiting === 'hourly-cap') t.timer = this.deps.clock.setTimer(t.takenAt[0] + HOUR_MS - this.deps.clock.now(), () => this.sendRound(txId));
      else this.waitingForCarrier.add(txId);
      return;
    }
    t.rounds++;
    t.waiting = 'echo';
    this.waitingForCarrier.delete(txId);
    const wait = Math.min(this.config.maxEchoTimeoutMs, this.config.echoTimeoutMs * 2 ** (t.rounds - 1));
    t.timer = this.deps.clock.setTimer(wait, () => this.sendRound(txId));
  }

  /**
   * Hands the tx to `wanted` carriers (fewer when none are warm), each watched for the peer's
   * verdict; returns how many took it. A carrier already gone (send false) costs one of the
   * hour's carriers: a peer that drops us on connect cannot buy itself unbounded replacements.
   */
  private hand(t: Tracked, wanted: number): number {
    let wrote = 0;
    const zones = new Set<string>();
    while (wanted > 0) {
      const carriers = this.takeCarriers(wanted);
      if (carriers.length === 0) break;
      for (const c of carriers) {
        t.carriers.add(c.id);
        t.takenAt.push(this.deps.clock.now());
        if (c.send(t.tx)) {
          wrote++;
          zones.add(c.zone);
          c.onClosed((close) => this.carrierClosed(t.tx.id, close));
        } else wanted++;
        wanted--;
      }
      wanted = Math.min(wanted, this.allowance(t));
    }
    if (wrote > 0) {
      t.sent += wrote;
      this.deps.sent?.(t.tx.id, [...zones]);
    }
    return wrote;
  }

  /** A carrier of the tx closed: a counted rejection (the tx still going) gets it one new carrier now. */
  private carrierClosed(txId: string, close: CarrierClose): void {
    const t = this.txs.get(txId);
    if (t === undefined || t.deliveredAt !== undefined) return;
    if (this.deps.carrierClosed?.(txId, close) !== true || this.txs.get(txId) !== t) return;
    if (t.waiting === 'echo' && this.allowance(t) > 0) this.hand(t, 1);
  }

  private takeCarriers(count: number): CarrierHandle[] {
    const taken: CarrierHandle[] = [];
    // Zones in the order configured; each pool draws its carriers uniformly.
    for (const pool of this.pools) {
      if (taken.length >= count) break;
      taken.push(...pool.take(count - taken.length));
    }
    return taken;
  }

  private serveWaiting(): void {
    for (const txId of [...this.waitingForCarrier]) {
      this.waitingForCarrier.delete(txId);
      this.sendRound(txId);
    }
  }

  private forgetOldestDelivered(): void {
    let oldest: Tracked | undefined;
    for (const t of this.txs.values()) if (t.deliveredAt !== undefined && (oldest === undefined || t.deliveredAt < (oldest.deliveredAt as number))) oldest = t;
    if (oldest === undefined) return;
    oldest.timer?.cancel();
    this.txs.delete(oldest.tx.id);
  }
}
