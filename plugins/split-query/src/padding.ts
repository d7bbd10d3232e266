import { SplitQueryError, SplitQueryErrorCode } from './errors';

/** Every sealed request holds exactly this many plaintext bytes: one lookup always fits. */
export const REQUEST_BUCKET_BYTES = 1024;

/**
 * Answer plaintext sizes. Almost every answer (a tx of a few KB as hex, a spent flag, a pool
 * list) fits the first, so sizes say nothing in practice; only a huge tx moves up a bucket.
 */
export const ANSWER_BUCKETS_BYTES: readonly number[] = [16 * 1024, 128 * 1024, 1024 * 1024];

const LENGTH_PREFIX = 4;

/** `data` behind a 4-byte big-endian length, zero-filled to the smallest bucket that holds it. */
export function pad(data: Uint8Array, buckets: readonly number[]): Uint8Array {
  const needed = data.length + LENGTH_PREFIX;
  const size = buckets.find((b) => b >= needed);
  if (size === undefined) {
    throw new SplitQueryError(SplitQueryErrorCode.TooLarge, `message of ${data.length} bytes exceeds the largest bucket (${buckets[buckets.length - 1] - LENGTH_PREFIX} bytes)`, {
      bytes: data.length,
    });
  }
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(data, LENGTH_PREFIX);
  return out;
}

/** The data inside a padded block; its size must be one of `buckets` and the padding all zeros. */
export function unpad(block: Uint8Array, buckets: readonly number[]): Uint8Array {
  if (!buckets.includes(block.length)) throw new SplitQueryError(SplitQueryErrorCode.BadPadding, `padded block of ${block.length} bytes is not a bucket size`, { bytes: block.length });
  const length = new DataView(block.buffer, block.byteOffset, block.byteLength).getUint32(0);
  if (length > block.length - LENGTH_PREFIX) {
    throw new SplitQueryError(SplitQueryErrorCode.BadPadding, `length prefix ${length} exceeds the ${block.length}-byte block`, { length, bytes: block.length });
  }
  const end = LENGTH_PREFIX + length;
  // Non-zero padding would be a covert channel a sender could use; refuse it.
  if (block.subarray(end).some((b) => b !== 0)) throw new SplitQueryError(SplitQueryErrorCode.BadPadding, 'padding bytes are not zero', {});
  return block.slice(LENGTH_PREFIX, end);
}
