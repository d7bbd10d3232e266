import { delay } from './stream-helpers';

/**
 * Counts the process's live libuv resources by type (TCPSocketWrap, TCPServerWrap, Timeout...)
 * so a test can prove a transport released every socket, server and timer it opened: whatever
 * the transport opened after the snapshot must be gone once it is done.
 */
export class ResourceSnapshot {
  private constructor(private readonly counts: ReadonlyMap<string, number>) {}

  /**
   * Snapshot after one loop turn: mocha arms its per-test timer just after a test function
   * starts, and that timer belongs in the baseline.
   */
  static async take(): Promise<ResourceSnapshot> {
    await new Promise((resolve) => setImmediate(resolve));
    return ResourceSnapshot.now();
  }

  private static now(): ResourceSnapshot {
    const counts = new Map<string, number>();
    for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
    return new ResourceSnapshot(counts);
  }

  /** Resource types that have more live instances now than in `baseline`, with the surplus. */
  surplusOver(baseline: ResourceSnapshot): Record<string, number> {
    const surplus: Record<string, number> = {};
    for (const [type, count] of this.counts) {
      const extra = count - (baseline.counts.get(type) ?? 0);
      if (extra > 0) surplus[type] = extra;
    }
    return surplus;
  }

  /**
   * Waits (polling, up to `timeoutMs`) until no resource type exceeds `baseline`; closing a
   * handle completes a loop iteration after close() returns. Throws naming what is still open.
   */
  static async expectReleased(baseline: ResourceSnapshot, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const surplus = ResourceSnapshot.now().surplusOver(baseline);
      if (Object.keys(surplus).length === 0) return;
      if (Date.now() >= deadline) {
        throw new Error(`${what} left resources open after ${timeoutMs} ms: ${JSON.stringify(surplus)}`);
      }
      await delay(20);
    }
  }
}
