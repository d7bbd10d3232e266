import type { CloseReason, RelayOutboundPort } from '../relay/relay-outbound-port';
import type { PeerEvents } from './peer-events';
import type { PeerService } from './peer-service';

/**
 * The relay engine's way out, over the peer layer: txs and ready-made noise frames go to one
 * ready connection by its opaque id, rotation dials one outbound peer beyond the zone's target
 * (the maintainer picks it; each dial through a SOCKS transport gets fresh isolation
 * credentials) and closes the retired one.
 */
export class PeerRelayPort implements RelayOutboundPort {
  constructor(
    private readonly peers: PeerService,
    private readonly events?: Pick<PeerEvents, 'noiseSent'>,
  ) {}

  send(zone: string, connectionId: string, txs: readonly Uint8Array[], options: { readonly fluff: boolean }): boolean {
    return this.peers.layer.sendTransactions(zone, connectionId, txs, options);
  }

  sendNoiseSlot(zone: string, connectionId: string, frame: Uint8Array): boolean {
    const sent = this.peers.layer.sendFrame(zone, connectionId, frame);
    if (sent) this.events?.noiseSent?.(zone, frame.length);
    return sent;
  }

  dial(zone: string): void {
    this.peers.dialExtra(zone);
  }

  close(zone: string, connectionId: string, reason: CloseReason): void {
    this.peers.layer.close(zone, connectionId, reason);
  }
}
