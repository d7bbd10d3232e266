import type { Duplex } from 'node:stream';
import type { DestinationKeys } from './destination-keys';

/**
 * Our own narrow view of a SAM v3.1 bridge. The transport sees only this, so the SAM library
 * behind it (today @diva.exchange/i2p-sam, see DivaSamClient) can be replaced without touching
 * the transport. Every method rejects with SamBridgeError or SamPeerUnreachableError, or with
 * AbortedError / TimeoutError from core.
 */
export interface SamClient {
  /**
   * Creates a STREAM session for `keys` and has the bridge forward every inbound stream to
   * `forwardTo` (a local TCP listener). Each forwarded connection starts with one line: the
   * peer's I2P-base64 destination.
   */
  createForwardingSession(request: SessionRequest & { readonly forwardTo: { readonly host: string; readonly port: number } }): Promise<SamSession>;
  /** Creates a session for `keys` that lives exactly as long as one stream to `destination`. */
  connectWithNewSession(request: SessionRequest & { readonly destination: string }): Promise<Duplex>;
  /** Opens a stream to `destination` on an existing session. */
  connect(session: SamSession, destination: string, call: SamCall): Promise<Duplex>;
  /** Resolves once every session closed so far has let go of the bridge (they close stream first, session after). */
  drain(): Promise<void>;
}

export interface SamCall {
  readonly signal?: AbortSignal;
  /** Deadline of the whole call (SESSION CREATE takes ≥ 20 s on i2pd 2.45.1). */
  readonly timeoutMs: number;
}

export interface SessionRequest extends SamCall {
  readonly keys: DestinationKeys;
  /** I2CP options (`inbound.length=1`...), sent on SESSION CREATE. */
  readonly options: Readonly<Record<string, string>>;
}

/** A live session; it ends when its control socket closes (the bridge died or close() was called). */
export interface SamSession {
  readonly id: string;
  /** Resolves once, with the reason, when the session is gone. */
  readonly closed: Promise<Error>;
  /** Cancels STREAM FORWARD (new inbound streams are refused); the session and its open streams stay. */
  stopForwarding(): void;
  /** Resolves once the session's sockets are closed (its streams' first, the session's after a linger). */
  close(): Promise<void>;
}
