import { VeilnodeError } from '@veilnode/plugin-api';

export type PeerErrorCode =
  | 'PEER_HANDSHAKE_FAILED'
  | 'PEER_HANDSHAKE_TIMEOUT'
  | 'PEER_NETWORK_MISMATCH'
  | 'PEER_SELF_CONNECTION'
  | 'PEER_PROTOCOL_VIOLATION'
  | 'PEER_INVOKE_FAILED'
  | 'PEER_INVOKE_TIMEOUT'
  | 'PEER_IDLE_TIMEOUT'
  | 'PEER_COMMAND_FILTERED'
  | 'PEER_NOT_READY'
  | 'PEER_REQUEST_FLOOD'
  | 'PEER_CLOSED';

/** A peer connection failed or was refused; `context` never holds clearnet addresses on anonymity zones. */
export class PeerError extends VeilnodeError {
  declare readonly code: PeerErrorCode;

  constructor(code: PeerErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, context, options);
  }
}
