import { transactionIdHex } from '@veilnode/protocol';
import type { IncomingTransactions } from '../relay/relay-engine';
import type { RelayTx } from '../routing/types';

/**
 * A received tx whose id is computed when first read: hashing costs more than anything else a
 * junk flood makes us do, so the relay engine reads it only for txs within the sender's quota
 * (and none after the first bad one closes the connection).
 */
export class LazyReceivedTx implements RelayTx {
  private idHex: string | undefined;

  constructor(readonly blob: Uint8Array) {}

  get id(): string {
    this.idHex ??= transactionIdHex(this.blob);
    return this.idHex;
  }
}

/** Where the peer layer hands received transactions: the relay engine implements it. */
export interface TxSink {
  receive(batch: IncomingTransactions): void;
}
