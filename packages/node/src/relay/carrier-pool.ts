import { VeilnodeError, type Logger, type Clock, type TimerHandle } from '@veilnode/plugin-api';
import { exponentialDelay, uniformDelay } from '../time/distributions';
import type { Rng } from '../time/rng';
import { CarrierError, type AnonymityZone, type CarrierHandle, type CarrierOpener } from './carrier-port';

/** How one anonymity zone keeps carriers warm. */
export interface CarrierPoolConfig {
  /**
   * Carriers open at once on average (warm and in use): the opening rate is this over the mean
   * lifetime, so an idle node keeps about this many warm.
   */
  readonly targetSize: number;
  /** Lifetime of every carrier, used or not: U(lifetimeMinMs, lifetimeMinMs + lifetimeRangeMs). */
  readonly lifetimeMinMs: number;
  readonly lifetimeRangeMs: number;
  /** A carrier is handed out only with at least this much life left, so a send never comes just before a close. */
  readonly minRemainingMs: number;
  /** Hard bound on carriers open or opening; a Poisson burst beyond it skips its openings. */
  readonly maxOpen: number;
}

/**
 * 6 carriers of 8–12 min (an ordinary rotated connection's lifetime), one opening every 100 s on
 * average: three txs sent in a row go out at once on fan-out 2.
 */
export const DEFAULT_CARRIER_POOL: CarrierPoolConfig = Object.freeze({
  targetSize: 6,
  lifetimeMinMs: 8 * 60_000,
  lifetimeRangeMs: 4 * 60_000,
  minRemainingMs: 2 * 60_000,
  maxOpen: 12,
});

export interface CarrierPoolDeps {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly opener: CarrierOpener;
  readonly logger?: Logger;
}

/** Counters for status and tests. */
export interface CarrierPoolStats {
  readonly opening: number;
  /** Up and not yet given to a tx. */
  readonly warm: number;
  /** Up and carrying (or having carried) its one tx. */
  readonly used: number;
  readonly opened: number;
  readonly openFailures: number;
  readonly skippedAtCap: number;
}

interface Carrier {
  readonly handle: CarrierHandle;
  readonly retireAt: number;
  readonly timer: TimerHandle;
  used: boolean;
}

/**
 * Keeps fresh carriers warm on one anonymity zone. Carriers open at the times of a Poisson
 * process and close at the end of a lifetime drawn when they open, whether or not a tx used them:
 * the whole open/close pattern is independent of when local txs arrive, so someone who sees our
 * circuits being built learns nothing from it. A carrier is handed out at most once and never
 * goes back to the pool. A failed open is not retried: the next one comes at the process's next
 * event, so a failing proxy or peer never makes us dial faster.
 */
export class CarrierPool {
  private readonly config: CarrierPoolConfig;
  private readonly carriers = new Map<string, Carrier>();
  private readonly warmListeners: (() => void)[] = [];
  private opening = 0;
  private opened = 0;
  private openFailures = 0;
  private skippedAtCap = 0;
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(
    readonly zone: AnonymityZone,
    private readonly deps: CarrierPoolDeps,
    config: Partial<CarrierPoolConfig> = {},
  ) {
    this.config = { ...DEFAULT_CARRIER_POOL, ...config };
    const c = this.config;
    if (!(Number.isInteger(c.targetSize) && c.targetSize > 0 && Number.isInteger(c.maxOpen) && c.maxOpen >= c.targetSize))
      throw new CarrierError('BAD_CONFIG', 'carrier pool needs a positive whole targetSize and maxOpen >= targetSize', { zone, targetSize: c.targetSize, maxOpen: c.maxOpen });
    if (!(c.lifetimeMinMs > c.minRemainingMs && c.minRemainingMs >= 0 && c.lifetimeRangeMs >= 0))
      throw new CarrierError('BAD_CONFIG', 'carrier lifetime must exceed minRemainingMs', { zone, lifetimeMinMs: c.lifetimeMinMs, minRemainingMs: c.minRemainingMs });
  }

  /** Mean time between two openings: mean lifetime / target size. */
  get meanOpenIntervalMs(): number {
    return (this.config.lifetimeMinMs + this.config.lifetimeRangeMs / 2) / this.config.targetSize;
  }

  /** Starts the opening process; the first carriers (targetSize of them) open at once to fill the pool. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < this.config.targetSize; i++) this.openOne();
    this.scheduleNext();
  }

  /**
   * The zone is reachable again after it was not (a connection came up): a pool left with no
   * carrier, open or opening, fills itself at once as at start instead of waiting up to the
   * schedule's next events (100 s each on average). Depends on our connectivity, never on a tx.
   */
  refillIfEmpty(): void {
    if (!this.running || this.carriers.size > 0 || this.opening > 0) return;
    for (let i = 0; i < this.config.targetSize; i++) this.openOne();
  }

  /** Stops opening and retires every carrier. */
  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    for (const c of [...this.carriers.values()]) this.drop(c, true);
  }

  /**
   * Up to `count` distinct warm carriers, each with at least minRemainingMs of life left: those
   * whose next noise slot comes first (ties, and zones without noise, drawn uniformly). The slot
   * times are our own timer draws, independent of which peer a carrier reaches, so the peers stay
   * a uniform draw that no peer can steer; the tx just waits less. The carriers are the caller's
   * for one tx each and are never handed out again.
   */
  take(count: number): CarrierHandle[] {
    const now = this.deps.clock.now();
    const warm = [...this.carriers.values()].filter((c) => !c.used && c.retireAt - now >= this.config.minRemainingMs);
    // Shuffle, then a stable sort by slot time: equal or unknown slot times stay in random order.
    for (let i = warm.length - 1; i > 0; i--) {
      const j = this.deps.rng.int(i + 1);
      [warm[i], warm[j]] = [warm[j], warm[i]];
    }
    const slot = (c: Carrier) => c.handle.nextSendAt() ?? now;
    warm.sort((a, b) => slot(a) - slot(b));
    const taken = warm.slice(0, count);
    for (const c of taken) c.used = true;
    return taken.map((c) => c.handle);
  }

  /** `listener` runs each time a carrier becomes warm (a tx waiting for carriers can go). */
  onWarm(listener: () => void): void {
    this.warmListeners.push(listener);
  }

  stats(): CarrierPoolStats {
    let warm = 0;
    for (const c of this.carriers.values()) if (!c.used) warm++;
    return { opening: this.opening, warm, used: this.carriers.size - warm, opened: this.opened, openFailures: this.openFailures, skippedAtCap: this.skippedAtCap };
  }

  private scheduleNext(): void {
    this.timer = this.deps.clock.setTimer(exponentialDelay(this.deps.rng, this.meanOpenIntervalMs), () => {
      if (!this.running) return;
      this.openOne();
      this.scheduleNext();
    });
  }

  private openOne(): void {
    if (this.opening + this.carriers.size >= this.config.maxOpen) {
      this.skippedAtCap++;
      return;
    }
    // Drawn now, so the close time does not depend on how long the open took or on any tx.
    const lifetime = uniformDelay(this.deps.rng, this.config.lifetimeMinMs, this.config.lifetimeRangeMs);
    const retireAt = this.deps.clock.now() + lifetime;
    this.opening++;
    this.deps.opener.open(this.zone).then(
      (handle) => this.up(handle, retireAt),
      (err: unknown) => {
        this.opening--;
        this.openFailures++;
        // the code only: a dial's message names the peer, and anonymity-zone peers never reach the logs
        const code = err instanceof VeilnodeError ? err.code : err instanceof Error ? err.name : typeof err;
        this.deps.logger?.warn({ zone: this.zone, err: code }, 'could not open a carrier; the next opens on schedule');
      },
    );
  }

  private up(handle: CarrierHandle, retireAt: number): void {
    this.opening--;
    if (handle.zone !== this.zone) {
      handle.retire();
      this.openFailures++;
      this.deps.logger?.error(new CarrierError('WRONG_ZONE_HANDLE', 'carrier opener returned a connection of another zone', { zone: this.zone, got: handle.zone }).toJSON(), 'carrier refused');
      return;
    }
    const remaining = retireAt - this.deps.clock.now();
    if (!this.running || remaining <= 0 || this.carriers.has(handle.id)) {
      handle.retire();
      return;
    }
    const carrier: Carrier = { handle, retireAt, used: false, timer: this.deps.clock.setTimer(remaining, () => this.drop(carrier, true)) };
    this.carriers.set(handle.id, carrier);
    this.opened++;
    handle.onClosed(() => this.drop(carrier, false));
    if (remaining >= this.config.minRemainingMs) for (const listener of this.warmListeners) listener();
  }

  private drop(carrier: Carrier, retire: boolean): void {
    if (this.carriers.get(carrier.handle.id) !== carrier) return;
    this.carriers.delete(carrier.handle.id);
    carrier.timer.cancel();
    if (retire) carrier.handle.retire();
  }
}
