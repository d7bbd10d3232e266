/**
 * What the noise scheduler needs from the Levin layer: fixed-size frames. Implemented on top of
 * the Levin codec (`makeNoiseFrame`, covert packing of a 2002); kept as an interface so the
 * scheduler stays a pure timing policy and tests can use recognisable fake frames.
 */
export interface CovertSlotBuilder {
  /** Size of every frame the builder returns (3072 in monerod). */
  readonly slotBytes: number;
  /**
   * One NOTIFY_NEW_TRANSACTIONS with the stem flag and no padding, packed into slots: a single
   * padded 2002 when it fits, else BEGIN / middle / END fragments. Throws a typed error when
   * the message needs more than the fragment limit.
   */
  packTransactions(txs: readonly Uint8Array[]): Uint8Array[];
  /** The dummy frame sent when a channel has nothing real to send. */
  dummy(): Uint8Array;
}
