import type { WireAddress } from '@veilnode/plugin-api';
import { arrayOf, EpeeError, EpeeTag, epeeObject, field, int64, optional, uint16, uint32, uint64, type EpeeCodec } from '../epee';
import { networkAddress, WireAddressError } from './network-address';

/** `peerlist_entry` (docs/commands.md). */
export interface PeerlistEntry {
  adr: WireAddress;
  id: bigint;
  /** monerod always sends 0 (omitted). */
  last_seen: bigint;
  pruning_seed: number;
  rpc_port: number;
  rpc_credits_per_hash: number;
}

/** A peer-list entry whose address could not be used; the rest of the message is fine. */
export interface InvalidPeerlistEntry {
  readonly id: bigint;
  readonly error: WireAddressError;
}

export type PeerlistItem = PeerlistEntry | InvalidPeerlistEntry;

export function isInvalidPeerlistEntry(item: PeerlistItem): item is InvalidPeerlistEntry {
  return (item as InvalidPeerlistEntry).error instanceof WireAddressError;
}

const entryObject = epeeObject<Omit<PeerlistEntry, 'adr'> & { adr: WireAddress | WireAddressError }>({
  adr: field(networkAddress),
  id: field(uint64),
  last_seen: optional(int64, 0n),
  pruning_seed: optional(uint32, 0),
  rpc_port: optional(uint16, 0),
  rpc_credits_per_hash: optional(uint32, 0),
});

/** One peer-list element: decodes a bad address into an InvalidPeerlistEntry instead of failing. */
export const peerlistEntry: EpeeCodec<PeerlistItem> = {
  tag: EpeeTag.Object,
  zero: () => entryObject.zero() as PeerlistItem,
  mutableZero: true,
  isEmpty: () => false,
  equals: (a, b) => !isInvalidPeerlistEntry(a) && !isInvalidPeerlistEntry(b) && entryObject.equals(a, b),
  read(r, tag, nest) {
    const e = entryObject.read(r, tag, nest);
    if (e.adr instanceof WireAddressError) return { id: e.id, error: e.adr };
    return e as PeerlistEntry;
  },
  size(item) {
    if (isInvalidPeerlistEntry(item)) {
      throw new EpeeError('EPEE_ENCODE', 'cannot encode an invalid peer-list entry', { reason: item.error.message });
    }
    return entryObject.size(item);
  },
  write: (w, item) => entryObject.write(w, item as PeerlistEntry),
};

/** monerod rejects a handshake or timed sync whose peer list has more entries than this. */
export const MAX_PEERLIST_ENTRIES = 250;

/** `local_peerlist_new`: omitted when empty. */
export const peerlist = arrayOf(peerlistEntry);
