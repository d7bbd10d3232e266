import type { RelayTx } from './types';

/**
 * Where locally submitted txs wait until an anonymity zone has carried them. The engine awaits
 * `enqueue` before the RPC answers, so an implementation must have made the tx durable (or, for
 * simulations, accepted it) when the promise resolves.
 */
export interface LocalTxStore {
  /** Txs not yet delivered, in submission order. */
  pending(): RelayTx[];
  enqueue(tx: RelayTx): Promise<void>;
  markDelivered(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Non-durable store for simulations and tests of the engine's routing. */
export class MemoryTxStore implements LocalTxStore {
  private readonly txs = new Map<string, RelayTx>();

  pending(): RelayTx[] {
    return [...this.txs.values()];
  }

  async enqueue(tx: RelayTx): Promise<void> {
    this.txs.set(tx.id, tx);
  }

  async markDelivered(id: string): Promise<void> {
    this.txs.delete(id);
  }

  async close(): Promise<void> {}
}
