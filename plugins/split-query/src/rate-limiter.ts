/**
 * Token buckets per relay: each relay may send `burst` requests at once and `perMinute` on
 * average. Relays that go quiet are forgotten once their bucket is full again.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
  ) {}

  /** Takes one token for `relay`; false when it has none left. */
  take(relay: string, nowMs: number): boolean {
    const bucket = this.buckets.get(relay) ?? { tokens: this.burst, at: nowMs };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((nowMs - bucket.at) * this.perMinute) / 60_000);
    bucket.at = nowMs;
    this.forgetIdle(nowMs);
    if (bucket.tokens < 1) {
      this.buckets.set(relay, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.buckets.set(relay, bucket);
    return true;
  }

  get tracked(): number {
    return this.buckets.size;
  }

  private forgetIdle(nowMs: number): void {
    const refillMs = (this.burst * 60_000) / this.perMinute;
    for (const [relay, bucket] of this.buckets) if (nowMs - bucket.at >= refillMs) this.buckets.delete(relay);
  }
}
