import type { PeerConnection } from '../peer/peer-connection';
import type { PeerLayer } from '../peer/peer-layer';
import type { RelayOutboundPort } from '../relay/relay-outbound-port';

/**
 * The relay engine's outbound port over the Levin peer layer: sends go to the ready
 * PeerConnection the engine names by its opaque id.
 *
 * Limit: `dial` (a rotation asking for one more outbound connection with fresh isolation
 * credentials) is not served yet: the peer layer's OutboundMaintainer keeps each zone at its
 * count and has no "one extra, new circuit" request. Rotation therefore never finds the zone
 * above target and closes nothing.
 */
export class PeerRelayPort implements RelayOutboundPort {
  constructor(private readonly layer: PeerLayer) {}

  send(zone: string, connectionId: string, txs: readonly Uint8Array[], options: { readonly fluff: boolean }): boolean {
    return this.layer.sendTransactions(zone, connectionId, txs, options);
  }

  sendNoiseSlot(zone: string, connectionId: string, frame: Uint8Array): boolean {
    return this.find(zone, connectionId)?.sendFrame(frame) ?? false;
  }

  dial(): void {
    // see the class comment
  }

  close(zone: string, connectionId: string, reason: 'rotation'): void {
    this.find(zone, connectionId)?.close(reason);
  }

  private find(zone: string, connectionId: string): PeerConnection | undefined {
    return this.layer.connections(zone).find((c) => c.id === connectionId);
  }
}
