import type { SubmitResult } from './relay-engine';

/** What showed that a local tx reached the network. */
export type DeliveryEvidence =
  /** every connection that carried it stayed up for the confirmation window */
  | 'carrier-stayed-up'
  /** private broadcast: it came back from a peer other than its own carriers */
  | 'echoed'
  /** a peer of the public zone sent it back to us */
  | 'seen-on-public-zone'
  /** the upstream daemon lists it in its pool */
  | 'in-upstream-pool'
  /** it is in a block */
  | 'mined';

/**
 * The state changes of a local tx, in the order they happen: accepted (durable), sent on a zone
 * (possibly again after its carriers were lost), then delivered or rejected. Zones only: an
 * observer never learns which connection carried a tx.
 */
export interface LocalTxEvents {
  accepted(result: SubmitResult): void;
  sent(txId: string, zones: readonly string[]): void;
  delivered(txId: string, evidence: DeliveryEvidence): void;
  rejected(txId: string, reason: string): void;
}
