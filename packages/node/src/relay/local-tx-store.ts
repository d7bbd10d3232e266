import type { RelayTx } from '../routing/types';

/** A local tx the network refused: kept (bounded) so operators and wallets can see why. */
export interface RejectedTx {
  readonly id: string;
  readonly reason: string;
  /** When it was moved to the rejected list, ms since the epoch. */
  readonly at: number;
}

/** A local tx that waits for delivery, with the time it was first acknowledged. */
export interface QueuedTx extends RelayTx {
  /** When it was first enqueued, ms since the epoch (kept across resubmissions and restarts). */
  readonly queuedAt: number;
}

/**
 * Where locally submitted txs wait until an anonymity zone has carried them. The engine awaits
 * `enqueue` before the RPC answers, so an implementation must have made the tx durable (or, for
 * simulations, accepted it) when the promise resolves. Every state change below resolves only
 * once it is as durable as the enqueue was.
 */
export interface LocalTxStore {
  /** Txs not yet delivered, in submission order. */
  pending(): QueuedTx[];
  /** Txs moved out of the queue by `markRejected`, oldest first; bounded by the implementation. */
  rejected(): RejectedTx[];
  /**
   * `now` (ms since the epoch) becomes `queuedAt` unless the tx already waits. A bounded store
   * refuses with a typed error when full (`JournalError` `JOURNAL_FULL` from `DurableTxQueue`).
   */
  enqueue(tx: RelayTx, now: number): Promise<void>;
  markDelivered(id: string): Promise<void>;
  /** Moves a waiting tx to the rejected list; a tx not waiting is ignored. */
  markRejected(id: string, reason: string, now: number): Promise<void>;
  /** Drops the given waiting txs (all when `ids` is omitted): monerod's flush_txpool. Resolves with the ids dropped. */
  drop(ids?: readonly string[]): Promise<string[]>;
  close(): Promise<void>;
}

/** How many rejected txs a store remembers; the oldest go first. */
export const MAX_REJECTED_TXS = 256;

/** Non-durable store for simulations and tests of the engine's routing. */
export class MemoryTxStore implements LocalTxStore {
  private readonly txs = new Map<string, QueuedTx>();
  private readonly refused: RejectedTx[] = [];

  pending(): QueuedTx[] {
    return [...this.txs.values()];
  }

  rejected(): RejectedTx[] {
    return [...this.refused];
  }

  async enqueue(tx: RelayTx, now: number): Promise<void> {
    if (!this.txs.has(tx.id)) this.txs.set(tx.id, { id: tx.id, blob: tx.blob, queuedAt: now });
  }

  async markDelivered(id: string): Promise<void> {
    this.txs.delete(id);
  }

  async markRejected(id: string, reason: string, now: number): Promise<void> {
    if (!this.txs.delete(id)) return;
    this.refused.push({ id, reason, at: now });
    if (this.refused.length > MAX_REJECTED_TXS) this.refused.shift();
  }

  async drop(ids?: readonly string[]): Promise<string[]> {
    const targets = ids ?? [...this.txs.keys()];
    return targets.filter((id) => this.txs.delete(id));
  }

  async close(): Promise<void> {}
}
