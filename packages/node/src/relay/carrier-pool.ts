import { VeilnodeError, type Logger, type Clock, type TimerHandle } from '@veilnode/plugin-api';
import { exponentialDelay, uniformDelay } from '../time/distributions';
import type { Rng } from '../time/rng';
import { CarrierError, type AnonymityZone, type CarrierHandle, type CarrierOpener } from './carrier-port';
import { HandoutWeights } from './handout-weights';
import { OrdinarySendAge } from './ordinary-send-age';

/** How one anonymity zone keeps carriers warm. */
export interface CarrierPoolConfig {
  /**
   * Carriers open at once on average when no tx takes any: the least opening rate is this over
   * the mean lifetime, so an idle node keeps about this many warm.
   */
  readonly targetSize: number;
  /** Lifetime of every carrier, used or not: U(lifetimeMinMs, lifetimeMinMs + lifetimeRangeMs). */
  readonly lifetimeMinMs: number;
  readonly lifetimeRangeMs: number;
  /** A carrier is handed out only with at least this much life left, so a send never comes just before a close. */
  readonly minRemainingMs: number;
  /** Hard bound on carriers open or opening; a Poisson event beyond it skips its opening. */
  readonly maxOpen: number;
  /**
   * `take` hands out carriers at an ordinary connection's age at a send (see `CarrierPool`); false:
   * the warm ones whose noise slot comes first, whatever their age (the pool before issue 14's
   * age signal was closed, kept as the privacy bench's baseline).
   */
  readonly ageMatching: boolean;
  /** Carriers drawn by age for each one handed out; the one whose noise slot comes first goes. */
  readonly slotCandidates: number;
  /** Ceiling on the opening rate, however fast txs take carriers. */
  readonly maxOpensPerHour: number;
}

/**
 * 6 carriers of 8–12 min (an ordinary rotated connection's lifetime), one opening every 100 s on
 * average while idle, up to 150 an hour (2.5 a minute) for a fast sender: three txs sent in a row
 * go out at once on fan-out 2. A carrier is handed out with at least 1 min to live (a 2-slot tx
 * takes ≤ 30 s).
 */
export const DEFAULT_CARRIER_POOL: CarrierPoolConfig = Object.freeze({
  targetSize: 6,
  lifetimeMinMs: 8 * 60_000,
  lifetimeRangeMs: 4 * 60_000,
  minRemainingMs: 60_000,
  maxOpen: 32,
  ageMatching: true,
  slotCandidates: 3,
  maxOpensPerHour: 150,
});

/**
 * The pool as it was before carriers were handed out at ordinary ages, kept as the privacy
 * bench's baseline: any warm carrier with 2 min to live, the one whose noise slot comes first
 * whatever its age, and the idle opening rate (6 per 10 min) whatever the sender does, so a fast
 * sender gets the youngest circuits.
 */
export const TAKE_YOUNG_CARRIER_POOL: Partial<CarrierPoolConfig> = Object.freeze({
  minRemainingMs: 2 * 60_000,
  maxOpen: 12,
  ageMatching: false,
  maxOpensPerHour: 36,
});

/** Carriers opened per carrier taken, for a sender faster than the idle rate: half of them left untaken, so old ones stay warm. */
const DEMAND_HEADROOM = 2;
/** Time constant of the taken-carriers rate the pool sizes itself by: an hour, so one tx barely moves it. */
const DEMAND_WINDOW_MS = 60 * 60_000;
/** Consecutive failed opens stretch the wait to the next opening by 2^n, up to 2^3 (a dead proxy: about one dial per 13 min while idle). */
const MAX_BACKOFF_DOUBLINGS = 3;

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
  /** Carriers opened per hour at the current rate (the idle rate, or more for a fast sender). */
  readonly opensPerHour: number;
}

interface Carrier {
  readonly handle: CarrierHandle;
  readonly openedAt: number;
  readonly retireAt: number;
  readonly timer: TimerHandle;
  used: boolean;
}

/**
 * Keeps fresh carriers warm on one anonymity zone. Carriers open at the times of a Poisson
 * process and close at the end of a lifetime drawn when they open, whether or not a tx used them:
 * no connect–send–close pattern shows, and a burst of txs shows only as fewer warm carriers. A
 * carrier is handed out at most once and never goes back to the pool.
 *
 * Against an observer who sees our circuits built (a guard), the circuit that carries a tx has the
 * age an ordinary connection has at a send (`OrdinarySendAge`): `take` draws among the warm
 * carriers in proportion to `HandoutWeights`, never waiting for one to reach an age (the tx goes
 * in that carrier's next noise slot, as before). Handing out the earliest slot whatever the age
 * instead makes carriers young whenever a sender takes them about as fast as they open. So that
 * carriers of every age stay warm, the opening rate is the idle rate (targetSize / mean lifetime)
 * or 2 × the carriers taken per hour (an exponential average over an hour) if that is more, at
 * most maxOpensPerHour: what a guard learns from it is the sender's rate over hours,
 * never when a tx came. A failed open is not retried: the next comes at the process's next event,
 * and consecutive failures stretch that wait (×2 each, up to ×8), so a failing proxy or peer
 * never makes us dial faster.
 */
export class CarrierPool {
  private readonly config: CarrierPoolConfig;
  private readonly carriers = new Map<string, Carrier>();
  private readonly warmListeners: (() => void)[] = [];
  private readonly weights: HandoutWeights;
  private opening = 0;
  private opened = 0;
  private openFailures = 0;
  private failuresInRow = 0;
  private skippedAtCap = 0;
  /** Carriers taken per ms, exponentially averaged over DEMAND_WINDOW_MS, as of `takenRateAt`. */
  private takenRate = 0;
  private takenRateAt = 0;
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
    if (!(Number.isInteger(c.slotCandidates) && c.slotCandidates >= 1 && c.maxOpensPerHour >= this.idleOpensPerHour()))
      throw new CarrierError('BAD_CONFIG', 'carrier pool needs a whole slotCandidates >= 1 and maxOpensPerHour >= its idle rate', { zone, slotCandidates: c.slotCandidates, maxOpensPerHour: c.maxOpensPerHour });
    const oldest = c.lifetimeMinMs + c.lifetimeRangeMs - c.minRemainingMs;
    const warmShape = new OrdinarySendAge(c.lifetimeMinMs - c.minRemainingMs, c.lifetimeRangeMs, oldest);
    this.weights = new HandoutWeights(new OrdinarySendAge(c.lifetimeMinMs, c.lifetimeRangeMs, oldest), warmShape, c.targetSize);
  }

  /** Mean time between two openings now: the idle rate, or faster for a fast sender. */
  get meanOpenIntervalMs(): number {
    return 3_600_000 / this.opensPerHour();
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
   * Up to `count` distinct warm carriers, each with at least minRemainingMs of life left. Each is
   * chosen thus: `slotCandidates` carriers are drawn (with replacement) in proportion to
   * `HandoutWeights`, so that the age of a carrier drawn is an ordinary connection's age at a
   * send, and of those the one whose next noise slot comes first goes (ties, and zones without
   * noise: the first drawn). Slot times are independent of age, so taking the earliest keeps the
   * age law and only shortens the tx's wait. Ages and slots are our own draws, independent of
   * which peer a carrier reaches, so the peers stay a uniform draw that no peer can steer. The
   * carriers are the caller's for one tx each and are never handed out again.
   */
  take(count: number): CarrierHandle[] {
    const now = this.deps.clock.now();
    const warm = [...this.carriers.values()].filter((c) => !c.used && c.retireAt - now >= this.config.minRemainingMs);
    const age = (c: Carrier) => now - c.openedAt;
    const slot = (c: Carrier) => c.handle.nextSendAt() ?? now;
    if (warm.length > 0 && this.config.ageMatching) this.weights.observe(warm.map(age));
    const taken: Carrier[] = [];
    while (taken.length < count && warm.length > 0) {
      const candidates = this.config.ageMatching ? this.drawByAge(warm, age, this.config.slotCandidates) : this.shuffled(warm);
      const pick = candidates.reduce((best, c) => (slot(c) < slot(best) ? c : best));
      warm.splice(warm.indexOf(pick), 1);
      pick.used = true;
      if (this.config.ageMatching) this.weights.handedOut(age(pick));
      taken.push(pick);
    }
    this.countTaken(taken.length, now);
    return taken.map((c) => c.handle);
  }

  /** `listener` runs each time a carrier becomes warm (a tx waiting for carriers can go). */
  onWarm(listener: () => void): void {
    this.warmListeners.push(listener);
  }

  stats(): CarrierPoolStats {
    let warm = 0;
    for (const c of this.carriers.values()) if (!c.used) warm++;
    return { opening: this.opening, warm, used: this.carriers.size - warm, opened: this.opened, openFailures: this.openFailures, skippedAtCap: this.skippedAtCap, opensPerHour: this.opensPerHour() };
  }

  /** `n` draws with replacement, each in proportion to the carrier's age weight. */
  private drawByAge(warm: readonly Carrier[], age: (c: Carrier) => number, n: number): Carrier[] {
    const cumulative: number[] = [];
    let total = 0;
    for (const c of warm) cumulative.push((total += this.weights.weight(age(c))));
    return Array.from({ length: n }, () => {
      const x = this.deps.rng.float() * total;
      const i = cumulative.findIndex((w) => w > x);
      return warm[i === -1 ? warm.length - 1 : i];
    });
  }

  /** All of them in random order (the baseline: the earliest slot wins, ties drawn uniformly). */
  private shuffled(warm: readonly Carrier[]): Carrier[] {
    const order = [...warm];
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.deps.rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }

  private idleOpensPerHour(): number {
    return (this.config.targetSize * 3_600_000) / (this.config.lifetimeMinMs + this.config.lifetimeRangeMs / 2);
  }

  private opensPerHour(): number {
    const taken = this.takenRate * Math.exp(-(this.deps.clock.now() - this.takenRateAt) / DEMAND_WINDOW_MS) * 3_600_000;
    return Math.min(this.config.maxOpensPerHour, Math.max(this.idleOpensPerHour(), DEMAND_HEADROOM * taken));
  }

  private countTaken(n: number, now: number): void {
    if (n === 0) return;
    this.takenRate = this.takenRate * Math.exp(-(now - this.takenRateAt) / DEMAND_WINDOW_MS) + n / DEMAND_WINDOW_MS;
    this.takenRateAt = now;
  }

  private scheduleNext(): void {
    const backoff = 2 ** Math.min(this.failuresInRow, MAX_BACKOFF_DOUBLINGS);
    this.timer = this.deps.clock.setTimer(exponentialDelay(this.deps.rng, this.meanOpenIntervalMs * backoff), () => {
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
    const openedAt = this.deps.clock.now();
    const retireAt = openedAt + lifetime;
    this.opening++;
    this.deps.opener.open(this.zone).then(
      (handle) => this.up(handle, openedAt, retireAt),
      (err: unknown) => {
        this.opening--;
        this.openFailures++;
        this.failuresInRow++;
        // the code only: a dial's message names the peer, and anonymity-zone peers never reach the logs
        const code = err instanceof VeilnodeError ? err.code : err instanceof Error ? err.name : typeof err;
        this.deps.logger?.warn({ zone: this.zone, err: code, failuresInRow: this.failuresInRow }, 'could not open a carrier; the next opens on schedule, later after each failure');
      },
    );
  }

  /** `openedAt`: when its dial began, the circuit's age for whoever saw it built. */
  private up(handle: CarrierHandle, openedAt: number, retireAt: number): void {
    this.opening--;
    if (handle.zone !== this.zone) {
      handle.retire();
      this.openFailures++;
      this.deps.logger?.error(new CarrierError('WRONG_ZONE_HANDLE', 'carrier opener returned a connection of another zone', { zone: this.zone, got: handle.zone }).toJSON(), 'carrier refused');
      return;
    }
    this.failuresInRow = 0;
    const remaining = retireAt - this.deps.clock.now();
    if (!this.running || remaining <= 0 || this.carriers.has(handle.id)) {
      handle.retire();
      return;
    }
    const carrier: Carrier = { handle, openedAt, retireAt, used: false, timer: this.deps.clock.setTimer(remaining, () => this.drop(carrier, true)) };
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
