/** Retry delays: `initialMs`, then ×1.5 each time, capped at `maxMs` (Bitcoin Core's torcontrol rule). */
export class Backoff {
  private next: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.next = initialMs;
  }

  /** The delay before the next attempt; grows for the one after. */
  nextDelay(): number {
    const delay = this.next;
    this.next = Math.min(Math.round(this.next * 1.5), this.maxMs);
    return delay;
  }

  reset(): void {
    this.next = this.initialMs;
  }
}
