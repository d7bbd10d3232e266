/**
 * Ids of txs recently seen in a block, oldest dropped first past `capacity`. A peer can still push
 * a mined tx to us (monerod relays from its pool until it sees the block, and a lagging peer later
 * than that); without this memory the engine would take it back into its pool and relay it again.
 */
export class RecentlyMinedTxs {
  private readonly ids = new Set<string>();

  /** 4,096 ids: more than the txs of the blocks of an hour on mainnet, 256 KiB of ids at most. */
  constructor(private readonly capacity = 4096) {}

  add(txId: string): void {
    this.ids.delete(txId);
    this.ids.add(txId);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }

  has(txId: string): boolean {
    return this.ids.has(txId);
  }

  get size(): number {
    return this.ids.size;
  }
}
