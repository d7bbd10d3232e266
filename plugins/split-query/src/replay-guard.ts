import { SplitQueryError, SplitQueryErrorCode } from './errors';

/**
 * Refuses a request seen before: each carries a random nonce and the client's clock; a request
 * older or newer than the window is refused outright, and nonces are remembered for as long as
 * their request could still pass the window check, so memory stays bounded by the rate limits.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** Accepts (and remembers) the nonce, or throws SplitQueryError SPLIT_QUERY_REPLAY. */
  check(nonce: string, timeMs: number, nowMs: number): void {
    if (!Number.isFinite(timeMs) || Math.abs(nowMs - timeMs) > this.windowMs) {
      throw new SplitQueryError(SplitQueryErrorCode.Replay, `request time is outside the ${this.windowMs} ms replay window`, { skewMs: nowMs - timeMs });
    }
    this.prune(nowMs);
    if (this.seen.has(nonce)) throw new SplitQueryError(SplitQueryErrorCode.Replay, 'request was already answered (replayed nonce)', {});
    this.seen.set(nonce, timeMs + this.windowMs);
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(nowMs: number): void {
    // Map keeps insertion order, which is roughly expiry order: stop at the first live entry.
    for (const [nonce, expires] of this.seen) {
      if (expires > nowMs - this.windowMs) break;
      this.seen.delete(nonce);
    }
  }
}
