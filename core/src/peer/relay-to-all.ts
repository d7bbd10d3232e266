import type { Logger } from '../api/logger';
import type { IncomingTransactions, TxSink } from './tx-sink';

/** What the simple relay needs of the peer layer. */
export interface TxBroadcaster {
  /** Ready connections of `zone` other than `exceptConnectionId`, as opaque ids. */
  connectionIds(zone: string, exceptConnectionId?: string): string[];
  sendTransactions(zone: string, connectionId: string, blobs: readonly Uint8Array[], options: { readonly fluff: boolean }): boolean;
}

/** How many tx ids the relay remembers to drop repeats. */
const SEEN_LIMIT = 100_000;

/**
 * The interim relay (until the relay engine takes over the TxSink): each tx id is relayed once,
 * fluffed to every other ready connection of the zone it arrived on. It never carries a tx
 * across zones; choosing zones is the relay engine's job.
 */
export class RelayToAll implements TxSink {
  private readonly seen = new Set<string>();
  private readonly logger: Logger;

  constructor(
    private readonly broadcaster: TxBroadcaster,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'relay-to-all' });
  }

  /** True when the id was already relayed (or received). */
  has(id: string): boolean {
    return this.seen.has(id);
  }

  receive(batch: IncomingTransactions): void {
    const fresh = batch.txs.filter((tx) => !this.seen.has(tx.id));
    for (const tx of fresh) this.remember(tx.id);
    if (fresh.length === 0) return;
    const targets = this.broadcaster.connectionIds(batch.zone, batch.connectionId);
    let sent = 0;
    for (const id of targets) {
      if (this.broadcaster.sendTransactions(batch.zone, id, fresh.map((tx) => tx.blob), { fluff: true })) sent++;
    }
    this.logger.debug({ zone: batch.zone, txs: fresh.length, connections: sent }, 'relayed transactions');
  }

  private remember(id: string): void {
    if (this.seen.size >= SEEN_LIMIT) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.add(id);
  }
}
