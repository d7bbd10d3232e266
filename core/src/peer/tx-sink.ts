/** One transaction as it travels between the peer layer and the relay engine. */
export interface ReceivedTx {
  /** Monero tx id, lower-case hex. */
  readonly id: string;
  readonly blob: Uint8Array;
}

/** The transactions of one NOTIFY_NEW_TRANSACTIONS, de-duplicated by tx id. */
export interface IncomingTransactions {
  readonly zone: string;
  /** Opaque connection id (never embeds an address). */
  readonly connectionId: string;
  readonly txs: readonly ReceivedTx[];
  /** false = Dandelion++ stem, true = fluff (the wire default). */
  readonly fluff: boolean;
}

/** Where the peer layer hands received transactions: the relay engine implements it. */
export interface TxSink {
  receive(batch: IncomingTransactions): void;
}
