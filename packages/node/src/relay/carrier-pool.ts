import { VeilnodeError, type Logger, type Clock, type TimerHandle } from '@veilnode/plugin-api';
import { exponentialDelay, uniformDelay } from '../time/distributions';
import type { Rng } from '../time/rng';
import { CarrierError, type AnonymityZone, type CarrierHandle, type CarrierOpener } from './carrier-port';

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
   * Each carrier can be handed out only from an age drawn at U(0, handoutAgeMaxMs) after it came
   * up, and only if that age leaves it minRemainingMs to live: see `CarrierPool`.
   */
  readonly handoutAgeMaxMs: number;
  /** How long after reaching its drawn age a carrier can still be handed out. */
  readonly handoutWindowMs: number;
  /** Ceiling on the opening rate, however fast txs take carriers. */
  readonly maxOpensPerHour: number;
}

/**
 * 6 carriers of 8–12 min (an ordinary rotated connection's lifetime), one opening every 100 s on
 * average while idle, up to 2 a minute for a fast sender; a carrier is handed out within 30 s of an
 * age drawn from U(0, 11 min), 11 min being the longest lifetime less the minute it must have left.
 */
export const DEFAULT_CARRIER_POOL: CarrierPoolConfig = Object.freeze({
  targetSize: 6,
  lifetimeMinMs: 8 * 60_000,
  lifetimeRangeMs: 4 * 60_000,
  minRemainingMs: 60_000,
  maxOpen: 24,
  handoutAgeMaxMs: 11 * 60_000,
  handoutWindowMs: 30_000,
  maxOpensPerHour: 120,
});

/**
 * Carriers handed out at any age, from the moment they are up (`relay.privateBroadcast.matchCircuitAges`
 * off, the default): a lone tx goes within seconds, but a guard who sees circuits built can pick
 * the young one that carried it more often than chance (relay README, "Against a link observer").
 */
export const ANY_AGE_HANDOUT: Pick<CarrierPoolConfig, 'handoutAgeMaxMs' | 'handoutWindowMs'> = Object.freeze({
  handoutAgeMaxMs: 0,
  handoutWindowMs: DEFAULT_CARRIER_POOL.lifetimeMinMs + DEFAULT_CARRIER_POOL.lifetimeRangeMs,
});

/** Carriers reaching their hand-out age per carrier taken that the opening rate aims at: room for those no tx is waiting for. */
const DEMAND_HEADROOM = 1.5;
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
  readonly retireAt: number;
  /** The span of ages (as clock times) in which it may be handed out. */
  readonly handoutFrom: number;
  readonly handoutUntil: number;
  readonly timers: TimerHandle[];
  used: boolean;
}

/**
 * Keeps fresh carriers warm on one anonymity zone. Carriers open at the times of a Poisson
 * process and close at the end of a lifetime drawn when they open, whether or not a tx used them,
 * so no connect–send–close pattern shows. A carrier is handed out at most once and never goes back.
 *
 * Against an observer who sees our circuits built (a guard), a carrier is handed out only at an
 * age an ordinary connection has when it sends a tx: sends fall at random moments of an ordinary
 * connection's life, so its age at a send has the joint law f(L)·1[age < L] with its lifetime L.
 * Each carrier draws an age h ~ U(0, handoutAgeMaxMs) when it comes up and can be taken only from
 * h to h + handoutWindowMs, and only when h leaves it minRemainingMs of its lifetime L (else it
 * is never taken and retires unused): carriers taken have (h, L) ∝ f(L)·1[h ≤ L − minRemaining],
 * the ordinary law less the last minute. Not the youngest, not the oldest: a tx that finds no
 * carrier at its age waits for the next to reach one. The carriers of the first fill (start, or
 * back after an outage) are the exception: they come up with the zone's ordinary connections,
 * which have the same age, so they can be taken at any age.
 *
 * The opening rate is the idle rate (targetSize / mean lifetime) or, for a sender who takes
 * carriers faster, 1.5 × its taken rate (an hour's exponential average) over the share of carriers
 * that reach their age, at most maxOpensPerHour: what the guard learns is the sender's rate over
 * hours, never when a tx came. A failed open is not retried: the next comes at the process's next
 * event, and consecutive failures stretch that wait (×2 each, up to ×8), so a failing proxy or
 * peer never makes us dial faster.
 */
export class CarrierPool {
  private readonly config: CarrierPoolConfig;
  private readonly carriers = new Map<string, Carrier>();
  private readonly warmListeners: (() => void)[] = [];
  /** Share of carriers whose drawn age leaves them minRemainingMs to live. */
  private readonly reachShare: number;
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
    if (!(c.handoutAgeMaxMs >= 0 && c.handoutWindowMs > 0 && c.maxOpensPerHour >= this.idleOpensPerHour()))
      throw new CarrierError('BAD_CONFIG', 'carrier pool needs handoutAgeMaxMs >= 0, handoutWindowMs > 0 and maxOpensPerHour >= its idle rate', { zone, handoutAgeMaxMs: c.handoutAgeMaxMs, handoutWindowMs: c.handoutWindowMs, maxOpensPerHour: c.maxOpensPerHour });
    this.reachShare = this.shareReachingAge();
  }

  /** Mean time between two openings now: the idle rate, or faster for a fast sender. */
  get meanOpenIntervalMs(): number {
    return 3_600_000 / this.opensPerHour();
  }

  /** Starts the opening process; the first carriers (targetSize of them) open at once to fill the pool. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.fill();
    this.scheduleNext();
  }

  /**
   * The zone is reachable again after it was not (a connection came up): a pool left with no
   * carrier, open or opening, fills itself at once as at start instead of waiting up to the
   * schedule's next events (100 s each on average). Depends on our connectivity, never on a tx.
   */
  refillIfEmpty(): void {
    if (!this.running || this.carriers.size > 0 || this.opening > 0) return;
    this.fill();
  }

  /** Stops opening and retires every carrier. */
  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    for (const c of [...this.carriers.values()]) this.drop(c, true);
  }

  /**
   * Up to `count` distinct carriers that are at their hand-out age and have at least
   * minRemainingMs of life left: those whose next noise slot comes first (ties, and zones without
   * noise, drawn uniformly). The slot times are our own timer draws, independent of which peer a
   * carrier reaches, so the peers stay a uniform draw that no peer can steer; the tx just waits
   * less. The carriers are the caller's for one tx each and are never handed out again.
   */
  take(count: number): CarrierHandle[] {
    const now = this.deps.clock.now();
    const ready = [...this.carriers.values()].filter((c) => this.ready(c, now));
    // Shuffle, then a stable sort by slot time: equal or unknown slot times stay in random order.
    for (let i = ready.length - 1; i > 0; i--) {
      const j = this.deps.rng.int(i + 1);
      [ready[i], ready[j]] = [ready[j], ready[i]];
    }
    const slot = (c: Carrier) => c.handle.nextSendAt() ?? now;
    ready.sort((a, b) => slot(a) - slot(b));
    const taken = ready.slice(0, count);
    for (const c of taken) c.used = true;
    this.countTaken(taken.length, now);
    return taken.map((c) => c.handle);
  }

  /** `listener` runs each time a carrier can be handed out (a tx waiting for carriers can go). */
  onWarm(listener: () => void): void {
    this.warmListeners.push(listener);
  }

  stats(): CarrierPoolStats {
    let warm = 0;
    for (const c of this.carriers.values()) if (!c.used) warm++;
    return { opening: this.opening, warm, used: this.carriers.size - warm, opened: this.opened, openFailures: this.openFailures, skippedAtCap: this.skippedAtCap, opensPerHour: this.opensPerHour() };
  }

  private idleOpensPerHour(): number {
    return (this.config.targetSize * 3_600_000) / (this.config.lifetimeMinMs + this.config.lifetimeRangeMs / 2);
  }

  /** P(h ≤ L − minRemaining) for h ~ U(0, handoutAgeMaxMs), L ~ U(lifetimeMin, lifetimeMin + range): midpoint rule. */
  private shareReachingAge(): number {
    const { lifetimeMinMs, lifetimeRangeMs, minRemainingMs, handoutAgeMaxMs } = this.config;
    if (handoutAgeMaxMs === 0) return 1;
    const steps = 64;
    let sum = 0;
    for (let i = 0; i < steps; i++) sum += Math.min(1, (lifetimeMinMs + ((i + 0.5) / steps) * lifetimeRangeMs - minRemainingMs) / handoutAgeMaxMs);
    return sum / steps;
  }

  private opensPerHour(): number {
    const taken = this.takenRate * Math.exp(-(this.deps.clock.now() - this.takenRateAt) / DEMAND_WINDOW_MS) * 3_600_000;
    return Math.min(this.config.maxOpensPerHour, Math.max(this.idleOpensPerHour(), (DEMAND_HEADROOM * taken) / this.reachShare));
  }

  private countTaken(n: number, now: number): void {
    if (n === 0) return;
    this.takenRate = this.takenRate * Math.exp(-(now - this.takenRateAt) / DEMAND_WINDOW_MS) + n / DEMAND_WINDOW_MS;
    this.takenRateAt = now;
  }

  private ready(c: Carrier, now: number): boolean {
    return !c.used && now >= c.handoutFrom && now <= c.handoutUntil && c.retireAt - now >= this.config.minRemainingMs;
  }

  private fill(): void {
    for (let i = 0; i < this.config.targetSize; i++) this.openOne(true);
  }

  private scheduleNext(): void {
    const backoff = 2 ** Math.min(this.failuresInRow, MAX_BACKOFF_DOUBLINGS);
    this.timer = this.deps.clock.setTimer(exponentialDelay(this.deps.rng, this.meanOpenIntervalMs * backoff), () => {
      if (!this.running) return;
      this.openOne(false);
      this.scheduleNext();
    });
  }

  /** `firstFill`: opened with the zone's ordinary connections, so any age of it is theirs too. */
  private openOne(firstFill: boolean): void {
    if (this.opening + this.carriers.size >= this.config.maxOpen) {
      this.skippedAtCap++;
      return;
    }
    // Drawn now, so the close time does not depend on how long the open took or on any tx.
    const lifetime = uniformDelay(this.deps.rng, this.config.lifetimeMinMs, this.config.lifetimeRangeMs);
    const handoutAge = firstFill ? 0 : uniformDelay(this.deps.rng, 0, this.config.handoutAgeMaxMs);
    const retireAt = this.deps.clock.now() + lifetime;
    this.opening++;
    this.deps.opener.open(this.zone).then(
      (handle) => this.up(handle, retireAt, handoutAge, firstFill ? lifetime : this.config.handoutWindowMs),
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

  private up(handle: CarrierHandle, retireAt: number, handoutAge: number, handoutWindow: number): void {
    this.opening--;
    if (handle.zone !== this.zone) {
      handle.retire();
      this.openFailures++;
      this.deps.logger?.error(new CarrierError('WRONG_ZONE_HANDLE', 'carrier opener returned a connection of another zone', { zone: this.zone, got: handle.zone }).toJSON(), 'carrier refused');
      return;
    }
    this.failuresInRow = 0;
    const now = this.deps.clock.now();
    const remaining = retireAt - now;
    if (!this.running || remaining <= 0 || this.carriers.has(handle.id)) {
      handle.retire();
      return;
    }
    const carrier: Carrier = { handle, retireAt, handoutFrom: now + handoutAge, handoutUntil: now + handoutAge + handoutWindow, used: false, timers: [] };
    carrier.timers.push(this.deps.clock.setTimer(remaining, () => this.drop(carrier, true)));
    this.carriers.set(handle.id, carrier);
    this.opened++;
    handle.onClosed(() => this.drop(carrier, false));
    // A carrier whose age leaves it too little life is never announced: it retires unused.
    if (retireAt - carrier.handoutFrom < this.config.minRemainingMs) return;
    if (handoutAge === 0) this.announce();
    else carrier.timers.push(this.deps.clock.setTimer(handoutAge, () => this.announce()));
  }

  private announce(): void {
    for (const listener of this.warmListeners) listener();
  }

  private drop(carrier: Carrier, retire: boolean): void {
    if (this.carriers.get(carrier.handle.id) !== carrier) return;
    this.carriers.delete(carrier.handle.id);
    for (const t of carrier.timers) t.cancel();
    if (retire) carrier.handle.retire();
  }
}
