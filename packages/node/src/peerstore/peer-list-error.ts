import { ProtocolError } from '@veilnode/plugin-api';

/** A received peer list as a whole is unacceptable (e.g. more than 250 entries). */
export class PeerListRejectedError extends ProtocolError {
  constructor(zone: string, reason: string, context: Record<string, unknown> = {}) {
    super('PEERLIST_REJECTED', `peer list rejected on zone ${zone}: ${reason}`, { zone, reason, ...context });
  }
}
