import type { AddressCodec, PeerAddress, TransportConnection, ZonePolicy } from '@veilnode/plugin-api';

/** A connection as the node hands it over: the transport's byte stream plus its zone's rules. */
export interface ZoneConnection {
  readonly zone: string;
  readonly policy: ZonePolicy;
  readonly codec: AddressCodec;
  readonly connection: TransportConnection;
  /** Zone-safe text of the remote for logs (undefined when the transport does not know it). */
  readonly remote: string | undefined;
  /** A private-broadcast carrier (dialled with a fresh identity): never a stem or noise channel of the relay engine. */
  readonly carrier?: boolean;
}

/**
 * Receives every connection, inbound and outbound, of every zone. The Levin peer layer
 * implements it; the node owns the stream's lifetime (it destroys it on stop and counts it
 * until it closes), the handler owns what flows over it.
 */
export interface ConnectionHandler {
  handle(connection: ZoneConnection): void;
  /**
   * Why the node must not talk to `remote` (banned, backed off), or undefined. Asked before a
   * dial and when an inbound connection arrives, before anything is read from it.
   */
  refusal?(zone: string, remote: PeerAddress): string | undefined;
}
