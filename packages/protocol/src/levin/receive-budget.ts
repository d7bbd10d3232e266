/**
 * Bytes that all connections together may hold for large messages still arriving. Per-command
 * caps bound one connection; this bounds their sum, so peers with many addresses cannot make the
 * node hold cap × connections. A body no larger than `freeBytes` (a handshake or timed sync:
 * every connection may hold one) is not counted.
 */
export class ReceiveBudget {
  private used = 0;

  constructor(
    readonly capacityBytes: number,
    readonly freeBytes = 64 * 1024,
  ) {}

  get usedBytes(): number {
    return this.used;
  }

  /** Takes `n` bytes of the budget; false (nothing taken) when they do not fit. */
  tryReserve(n: number): boolean {
    if (this.used + n > this.capacityBytes) return false;
    this.used += n;
    return true;
  }

  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}
