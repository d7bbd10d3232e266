import type { Clock, TimerHandle } from '@veilnode/plugin-api';
import type { Rng } from '../time/rng';
import { exponentialDelay } from '../time/distributions';

/** Mean embargo before we fluff a stem tx ourselves (docs/dandelion.md). */
export const DEFAULT_EMBARGO_MEAN_MS = 39_000;

/** What receiving a stem copy of a tx means for the pool. */
export type StemArrival = 'new' | 'loop';

/**
 * Stem-state transactions and their embargo timers. A tx received in stem mode is embargoed for
 * an exponential time (memoryless, mean 39 s); if nobody fluffed it by then, `onEmbargoExpired`
 * tells the engine to fluff it. A stem copy arriving while the tx is still in stem state means
 * the stem looped back to us: the caller must fluff it (Dandelion++ loop detection).
 */
export class StemPool {
  private readonly embargoes = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly onEmbargoExpired: (txId: string) => void,
    private readonly embargoMeanMs = DEFAULT_EMBARGO_MEAN_MS,
  ) {}

  /** Records a stem arrival. On 'loop' the tx has left stem state (its embargo is cancelled). */
  receiveStem(txId: string): StemArrival {
    if (this.embargoes.has(txId)) {
      this.release(txId);
      return 'loop';
    }
    const timer = this.clock.setTimer(exponentialDelay(this.rng, this.embargoMeanMs), () => {
      this.embargoes.delete(txId);
      this.onEmbargoExpired(txId);
    });
    this.embargoes.set(txId, timer);
    return 'new';
  }

  /** The tx was seen fluffed (or fluffed by us): embargo over. True if it was in stem state. */
  release(txId: string): boolean {
    const timer = this.embargoes.get(txId);
    if (timer === undefined) return false;
    timer.cancel();
    this.embargoes.delete(txId);
    return true;
  }

  has(txId: string): boolean {
    return this.embargoes.has(txId);
  }

  get size(): number {
    return this.embargoes.size;
  }

  stop(): void {
    for (const timer of this.embargoes.values()) timer.cancel();
    this.embargoes.clear();
  }
}
