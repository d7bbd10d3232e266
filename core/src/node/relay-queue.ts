/**
 * What the relay engine tells the node about each zone's pending transactions (get_zones
 * `queued`). The engine registers its own implementation under the RELAY_QUEUE token.
 */
export interface RelayQueue {
  queued(zone: string): number;
}

/** No relay engine yet: nothing can be queued. */
export class EmptyRelayQueue implements RelayQueue {
  queued(): number {
    return 0;
  }
}
