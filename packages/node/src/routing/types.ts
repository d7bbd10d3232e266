/**
 * Vocabulary shared by the relay engine's parts. Connection ids are opaque strings chosen by
 * the peer layer; they must not embed addresses, because the engine logs them on anonymity zones.
 */
export type ConnectionId = string;
export type Direction = 'inbound' | 'outbound';

/** A transaction as the engine moves it: the id is computed once by the injected `txId`. */
export interface RelayTx {
  readonly id: string;
  readonly blob: Uint8Array;
}

/** Whether a connection may be picked as a stem or noise channel now (see PeerHeightFilter). */
export interface ConnectionEligibility {
  eligible(id: ConnectionId): boolean;
}

/** Every connection is eligible: the default when nobody judges them. */
export const ALL_ELIGIBLE: ConnectionEligibility = Object.freeze({ eligible: () => true });
