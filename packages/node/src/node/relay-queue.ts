import type { JournalRecovery } from '../relay/durable-tx-queue';

/**
 * What the relay engine tells the node about each zone's pending transactions (get_zones
 * `queued`) and about its journal (get_zones `journal`). The RelayService implements it,
 * registered under the RELAY_SERVICE token.
 */
export interface RelayQueue {
  queued(zone: string): number;
  /** What opening the local-tx journal found damaged and kept aside. */
  journalRecovery(): JournalRecovery;
}
