import type { RelayTx } from './types';

/**
 * How far a tx has travelled, as far as privacy is concerned (monerod's relay_method):
 * - `local`: originated here, waiting for or travelling over an anonymity zone;
 * - `forward`: received over an anonymity zone, not yet released to other zones;
 * - `stem`: in a Dandelion++ stem on a public zone, under embargo;
 * - `fluff`: broadcast (by us or seen broadcast by others): public knowledge.
 */
export type RelayState = 'local' | 'forward' | 'stem' | 'fluff';

export interface PoolEntry extends RelayTx {
  readonly state: RelayState;
}

/**
 * The engine's view of the tx pool. Only `fluff` txs are public: anything else listed by an RPC
 * query would let whoever asks learn that the tx started here, or sits in our stem.
 */
export class TxPoolView {
  private readonly entries = new Map<string, PoolEntry>();

  get(id: string): PoolEntry | undefined {
    return this.entries.get(id);
  }

  set(tx: RelayTx, state: RelayState): void {
    this.entries.set(tx.id, { id: tx.id, blob: tx.blob, state });
  }

  remove(id: string): boolean {
    return this.entries.delete(id);
  }

  /** What a peer-facing or public RPC query may see: broadcast txs only. */
  publicTxs(): PoolEntry[] {
    return [...this.entries.values()].filter((e) => e.state === 'fluff');
  }

  /** Everything, for the operator's own diagnostics (never served on a restricted RPC). */
  allTxs(): PoolEntry[] {
    return [...this.entries.values()];
  }

  countByState(): Record<RelayState, number> {
    const counts: Record<RelayState, number> = { local: 0, forward: 0, stem: 0, fluff: 0 };
    for (const entry of this.entries.values()) counts[entry.state]++;
    return counts;
  }
}
