import type { EpeeCodec } from './codec';
import { EpeeError } from './errors';
import { anySection, type EpeeSection } from './generic';
import { EPEE_HEADER, EPEE_HEADER_SIZE, EPEE_P2P_LIMITS, type EpeeLimits } from './limits';
import { EpeeReader } from './reader';
import { EpeeWriter } from './writer';

/** A codec whose value is a section that can be the storage root. */
export interface EpeeRootCodec<T> extends EpeeCodec<T> {
  readSection(r: EpeeReader, rec: number): T;
}

/**
 * Decodes a portable-storage blob (9-byte header + root section) with `codec`. Strings come back
 * as views into `buf`; bytes after the root section are ignored (monerod's padding trick).
 */
export function decodeStorage<T>(codec: EpeeRootCodec<T>, buf: Buffer, limits: EpeeLimits = EPEE_P2P_LIMITS): T {
  if (buf.length < EPEE_HEADER_SIZE) {
    throw new EpeeError('EPEE_TRUNCATED', `storage needs a ${EPEE_HEADER_SIZE}-byte header, got ${buf.length} bytes`, { offset: 0 });
  }
  for (let i = 0; i < EPEE_HEADER_SIZE; i++) {
    if (buf[i] !== EPEE_HEADER[i]) {
      throw new EpeeError('EPEE_BAD_HEADER', `bad storage signature/version byte 0x${buf[i].toString(16)}`, { offset: i });
    }
  }
  // monerod's root read(section) runs at recursion counter 1.
  return codec.readSection(new EpeeReader(buf, EPEE_HEADER_SIZE, limits), 1);
}

/** Schema-less decode (for inspection, tests and messages without a schema). */
export function decodeSection(buf: Buffer, limits: EpeeLimits = EPEE_P2P_LIMITS): EpeeSection {
  return decodeStorage(anySection, buf, limits);
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
  EPEE_HEADER.copy(target, offset);
  const w = new EpeeWriter(target, offset + EPEE_HEADER_SIZE);
  codec.write(w, value);
  return w.pos;
}

/** Encodes `value` as a portable-storage blob with monerod's exact tags and key order. */
export function encodeStorage<T>(codec: EpeeCodec<T>, value: T): Buffer {
  const out = Buffer.allocUnsafe(storageSize(codec, value));
  writeStorage(codec, value, out, 0);
  return out;
}

/** Schema-less encode (keys sorted byte-wise). */
export function encodeSection(section: EpeeSection): Buffer {
  return encodeStorage(anySection, section);
}
