/**
 * What the relay engine tells the node about each zone's pending transactions (get_zones
 * `queued`). The RelayService implements it, registered under the RELAY_QUEUE token.
 */
export interface RelayQueue {
  queued(zone: string): number;
}
