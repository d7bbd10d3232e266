import { DialError, TransportError } from '@veilnode/plugin-api';

/**
 * Failures of the SAM bridge itself or of our session on it: the transport should recreate the
 * session (INVALID_ID, I2P_ERROR, a closed control socket) or the operator must act (bridge
 * unreachable, DUPLICATED_ID/DEST, our key rejected). Code: `SAM_<RESULT>` or `SAM_BRIDGE_*`.
 */
export class SamBridgeError extends TransportError {}

/**
 * The bridge works but cannot reach the peer (CANT_REACH_PEER, TIMEOUT, or the peer's
 * destination is invalid): a dial failure that says nothing about the bridge's health.
 */
export class SamPeerUnreachableError extends DialError {}

const PEER_RESULTS = new Set(['CANT_REACH_PEER', 'TIMEOUT', 'PEER_NOT_FOUND']);

/**
 * Maps a failed SAM reply to a typed error. `step` names the command (`SESSION CREATE`,
 * `STREAM CONNECT`...). INVALID_KEY on STREAM CONNECT is the peer's key; on SESSION CREATE ours.
 */
export function samReplyError(step: string, result: string, message: string | undefined, context: Record<string, unknown> = {}): TransportError {
  const detail = message ? `: ${message}` : '';
  const ctx = { step, result, ...(message ? { samMessage: message } : {}), ...context };
  if (PEER_RESULTS.has(result) || (result === 'INVALID_KEY' && step === 'STREAM CONNECT')) {
    return new SamPeerUnreachableError(`SAM_${result}`, `I2P peer unreachable (${step} → ${result}${detail})`, ctx);
  }
  return new SamBridgeError(`SAM_${result || 'PROTOCOL'}`, `SAM bridge refused ${step} (${result || 'no RESULT'}${detail})`, ctx);
}
