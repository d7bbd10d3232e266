import { createHash } from 'node:crypto';
import type { PeerAddress } from '@veilnode/plugin-api';
import type { ConnectionClose } from '../relay/rejection-tracker';

/** PeerConnection's close reasons when the far end closed or reset the stream. */
const CLOSED_BY_PEER: ReadonlySet<string> = new Set(['remote closed', 'remote ended', 'stream error']);

/**
 * Tells outbound peers apart without handing their address on (the relay engine logs what it
 * gets): the same key for every connection to one peer, ordinary or carrier.
 */
export function opaquePeerKey(address: PeerAddress): string {
  return createHash('sha256').update(`${address.zone}|${address.host}|${address.port}`).digest('hex').slice(0, 16);
}

/** Whether PeerConnection's close `reason` says the far end closed or reset the stream. */
export function closedByPeer(reason: string): boolean {
  return CLOSED_BY_PEER.has(reason);
}

/** How a connection ended, from PeerConnection's close reason; `remote` only for outbound connections. */
export function connectionClose(reason: string, remote: PeerAddress | undefined): ConnectionClose {
  return { byPeer: closedByPeer(reason), peer: remote === undefined ? undefined : opaquePeerKey(remote) };
}
