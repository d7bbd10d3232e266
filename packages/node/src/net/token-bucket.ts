import type { Clock } from '@veilnode/plugin-api';

/**
 * A byte-rate budget shared by many streams: `rate` bytes per second with up to one second's
 * worth (or `burst`) saved up. A caller takes what it needs at once and is told how long to wait before the
 * bytes are covered, so the budget can go into debt and the next taker waits behind it: over
 * any interval, what every taker together moves stays within rate × interval + one burst.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    /** Bytes per second (> 0). */
    readonly rate: number,
    private readonly clock: Clock,
    /** Tokens saved up at most (default one second's worth); a new bucket starts full. */
    private readonly burst: number = rate,
  ) {
    if (!(rate > 0)) throw new RangeError(`token bucket rate must be > 0, got ${rate}`);
    if (!(burst > 0)) throw new RangeError(`token bucket burst must be > 0, got ${burst}`);
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  /** Takes `bytes` from the budget; returns the milliseconds until they are covered (0 = now). */
  take(bytes: number): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.rate) / 1000);
    this.updatedAt = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.rate);
  }
}
