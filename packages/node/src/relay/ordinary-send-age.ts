/**
 * The age an ordinary connection has when it sends a tx. Sends fall at random moments of a
 * connection's life, so the connections open at a send are those alive then, and their age has
 * density ∝ P(L > age), L the lifetime: U(lifetimeMinMs, lifetimeMinMs + lifetimeRangeMs) here.
 * The law is cut at `maxAgeMs` (a carrier must have life left after its send).
 */
export class OrdinarySendAge {
  /** ∫₀^maxAgeMs P(L > x) dx: the cut law's normaliser. */
  private readonly mass: number;

  constructor(
    private readonly lifetimeMinMs: number,
    private readonly lifetimeRangeMs: number,
    readonly maxAgeMs: number,
  ) {
    this.mass = this.cumulative(maxAgeMs);
  }

  /** P(age ≤ ms) under the cut law. */
  cdf(ms: number): number {
    return this.mass === 0 ? 1 : this.cumulative(Math.min(Math.max(ms, 0), this.maxAgeMs)) / this.mass;
  }

  /** ∫₀^a P(L > x) dx for L uniform: a below the shortest lifetime, then the survival's linear fall. */
  private cumulative(a: number): number {
    const { lifetimeMinMs: min, lifetimeRangeMs: range } = this;
    if (a <= min) return a;
    const d = Math.min(a - min, range);
    return min + d - (d * d) / (2 * range);
  }
}
