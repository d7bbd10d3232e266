import type { Clock } from '@veilnode/plugin-api';

/**
 * A byte-rate budget shared by many streams: `rate` bytes per second with up to one second's
 * worth saved up. A caller takes what it needs at once and is told how long to wait before the
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
  ) {
    if (!(rate > 0)) throw new RangeError(`token bucket rate must be > 0, got ${rate}`);
    this.tokens = rate;
    this.updatedAt = clock.now();
  }

  /** Takes `bytes` from the budget; returns the milliseconds until they are covered (0 = now). */
  take(bytes: number): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.updatedAt) * this.rate) / 1000);
    this.updatedAt = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.rate);
  }
}
