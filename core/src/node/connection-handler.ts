import type { AddressCodec } from '../api/address';
import type { Logger } from '../api/logger';
import type { TransportConnection } from '../api/transport';
import type { ZonePolicy } from '../api/zone';

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
}

/**
 * The handler used until the peer layer lands: it keeps each connection open, discards what
 * the peer sends (so the peer never blocks on a full buffer) and counts what it was given.
 */
export class HoldingConnectionHandler implements ConnectionHandler {
  private handledCount = 0;

  constructor(private readonly logger: Logger) {}

  get handled(): number {
    return this.handledCount;
  }

  handle({ zone, connection, remote }: ZoneConnection): void {
    this.handledCount++;
    this.logger.debug({ zone, direction: connection.direction, remote }, 'holding connection (no peer layer yet)');
    connection.stream.resume();
  }
}
