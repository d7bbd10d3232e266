import { EpeeError } from './errors';
import { EPEE_MAX_VARINT } from './limits';

/** Bytes the minimal varint encoding of `n` takes (docs/epee.md). */
export function varintSize(n: number): number {
  if (n <= 63) return 1;
  if (n <= 16383) return 2;
  if (n <= 1073741823) return 4;
  return 8;
}

/** Writes the minimal varint encoding of `n` at `pos`; returns the new position. */
export function writeVarint(buf: Buffer, pos: number, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > EPEE_MAX_VARINT) {
    throw new EpeeError('EPEE_ENCODE', `varint value ${n} is not an integer in 0..2^62-1`);
  }
  // plain byte stores: the range is checked above, and Buffer's writeUInt*LE would check it again
  if (n <= 63) {
    buf[pos] = n << 2;
    return pos + 1;
  }
  if (n <= 16383) {
    const v = (n << 2) | 1;
    buf[pos] = v;
    buf[pos + 1] = v >>> 8;
    return pos + 2;
  }
  if (n <= 1073741823) {
    const v = ((n << 2) | 2) >>> 0;
    buf[pos] = v;
    buf[pos + 1] = v >>> 8;
    buf[pos + 2] = v >>> 16;
    buf[pos + 3] = v >>> 24;
    return pos + 4;
  }
  buf.writeUInt32LE((((n % 2 ** 30) << 2) | 3) >>> 0, pos);
  buf.writeUInt32LE(Math.floor(n / 2 ** 30), pos + 4);
  return pos + 8;
}
