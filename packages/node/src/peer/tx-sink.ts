import { transactionIdHex } from '@veilnode/protocol';

/** One transaction as it travels between the peer layer and the relay engine. */
export interface ReceivedTx {
  /** Monero tx id, lower-case hex; throws InvalidTransactionError for a blob that does not parse. */
  readonly id: string;
  readonly blob: Uint8Array;
}

/**
 * A received tx whose id is computed when first read: hashing costs more than anything else a
 * junk flood makes us do, so the relay engine reads it only for txs within the sender's quota
 * (and none after the first bad one closes the connection).
 */
export class LazyReceivedTx implements ReceivedTx {
  private idHex: string | undefined;

  constructor(readonly blob: Uint8Array) {}

  get id(): string {
    this.idHex ??= transactionIdHex(this.blob);
    return this.idHex;
  }
}

/** The transactions of one NOTIFY_NEW_TRANSACTIONS, without repeated blobs. */
export interface IncomingTransactions {
  readonly zone: string;
  /** Opaque connection id (never embeds an address). */
  readonly connectionId: string;
  /**
   * Opaque key of the sender's address group (see sourceGroup): what its txs are charged to.
   * Set by the peer layer; absent, the connection is its own group.
   */
  readonly sourceGroup?: string;
  readonly txs: readonly ReceivedTx[];
  /** false = Dandelion++ stem, true = fluff (the wire default). */
  readonly fluff: boolean;
}

/** Where the peer layer hands received transactions: the relay engine implements it. */
export interface TxSink {
  receive(batch: IncomingTransactions): void;
}
