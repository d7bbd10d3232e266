import type { EpeeCodec } from './codec';
import { EpeeError } from './errors';
import { anySection, type EpeeSection } from './generic';
import { EPEE_HEADER, EPEE_HEADER_SIZE, EPEE_P2P_LIMITS, type EpeeLimits } from './limits';
import { GatherWriter } from './gather-writer';
import { EpeeReader } from './reader';
import { EpeeWriter } from './writer';

/** A codec whose value is a section that can be the storage root. */
export interface EpeeRootCodec<T> extends EpeeCodec<T> {
  readSection(r: EpeeReader, rec: number): T;
}

/** A storage blob as one buffer, or as the pieces it arrived in (see EpeeReader.fromSegments). */
export type EpeeInput = Buffer | readonly Buffer[];

/**
 * Decodes a portable-storage blob (9-byte header + root section) with `codec`. Strings come back
 * as views into the input; bytes after the root section are ignored (monerod's padding trick).
 */
export function decodeStorage<T>(codec: EpeeRootCodec<T>, input: EpeeInput, limits: EpeeLimits = EPEE_P2P_LIMITS): T {
  const one = Buffer.isBuffer(input) ? input : input.length === 1 ? input[0] : null;
  const length = one !== null ? one.length : (input as readonly Buffer[]).reduce((n, s) => n + s.length, 0);
  if (length < EPEE_HEADER_SIZE) {
    throw new EpeeError('EPEE_TRUNCATED', `storage needs a ${EPEE_HEADER_SIZE}-byte header, got ${length} bytes`, { offset: 0 });
  }
  const r = one !== null ? new EpeeReader(one, 0, limits) : EpeeReader.fromSegments(input as readonly Buffer[], 0, limits);
  for (let i = 0; i < EPEE_HEADER_SIZE; i++) {
    const b = r.u8();
    if (b !== EPEE_HEADER[i]) throw new EpeeError('EPEE_BAD_HEADER', `bad storage signature/version byte 0x${b.toString(16)}`, { offset: i });
  }
  // monerod's root read(section) runs at recursion counter 1.
  return codec.readSection(r, 1);
}

/** Schema-less decode (for inspection, tests and messages without a schema). */
export function decodeSection(input: EpeeInput, limits: EpeeLimits = EPEE_P2P_LIMITS): EpeeSection {
  return decodeStorage(anySection, input, limits);
}

/** Encoded size of `value` as a storage blob, header included. Validates the value. */
export function storageSize<T>(codec: EpeeCodec<T>, value: T): number {
  return EPEE_HEADER_SIZE + codec.size(value);
}

/**
 * Writes header + root section into `target` at `offset` (which must have room for `size` bytes,
 * as returned by storageSize for the same value). Returns the end offset.
 */
export function writeStorage<T>(codec: EpeeCodec<T>, value: T, target: Buffer, offset: number): number {
  const w = new EpeeWriter(target, offset);
  w.bytes(EPEE_HEADER);
  codec.write(w, value);
  return w.pos;
}

/** Encodes `value` as a portable-storage blob with monerod's exact tags and key order. */
export function encodeStorage<T>(codec: EpeeCodec<T>, value: T): Buffer {
  const out = Buffer.allocUnsafe(storageSize(codec, value));
  writeStorage(codec, value, out, 0);
  return out;
}

/**
 * Encodes `value` as a list of buffers whose concatenation is the storage blob; byte strings of
 * `minReference` bytes or more are included by reference, not copied. The first part starts
 * with `headroom` zero bytes for the caller (e.g. a Levin header). Validates like encodeStorage.
 */
export function encodeStorageParts<T>(codec: EpeeCodec<T>, value: T, headroom = 0, minReference = 256): { parts: Buffer[]; size: number } {
  const size = storageSize(codec, value);
  const w = new GatherWriter(headroom, minReference);
  w.bytes(EPEE_HEADER);
  codec.write(w, value);
  return { parts: w.finish(), size };
}

/** Schema-less encode (keys sorted byte-wise). */
export function encodeSection(section: EpeeSection): Buffer {
  return encodeStorage(anySection, section);
}
