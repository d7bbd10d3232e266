import type { ConnectionId } from '../routing/types';

export type CloseReason = 'rotation' | 'invalid-tx' | 'tx-quota' | 'penalised-source';

/**
 * What the relay engine asks of the peer layer. Calls are fire-and-forget and synchronous so
 * that many engines can share one virtual clock; a `false` return means the connection is
 * already gone (the peer layer then also reports `onConnectionDown`).
 */
export interface RelayOutboundPort {
  /**
   * One NOTIFY_NEW_TRANSACTIONS (2002) carrying `txs` in this order. `fluff: false` must be
   * written as `dandelionpp_fluff = false` (stem); `fluff: true` may omit the field.
   */
  send(zone: string, connectionId: ConnectionId, txs: readonly Uint8Array[], options: { readonly fluff: boolean }): boolean;
  /** One ready-made fixed-size frame (noise, fragment or padded 2002), written unchanged. */
  sendNoiseSlot(zone: string, connectionId: ConnectionId, frame: Uint8Array): boolean;
  /** Open one more outbound connection on the zone, with fresh isolation credentials. */
  dial(zone: string, reason: 'rotation'): void;
  /**
   * Close a connection: `rotation` (an outbound one whose replacement is already up), or a peer
   * that sent a tx monerod would reject (`invalid-tx`), more txs than its quota (`tx-quota`), or
   * whose address group is penalised because its txs got us dropped (`penalised-source`).
   */
  close(zone: string, connectionId: ConnectionId, reason: CloseReason): void;
}
