import { InvalidTransactionError } from './transaction-error';

const MAX_U64 = (1n << 64n) - 1n;

/**
 * Forward-only reader over a transaction blob: Monero varints (LEB128, at most 64 bits, no
 * redundant trailing zero groups, as monerod's reader demands) and fixed-size skips, each
 * bounds-checked so a hostile count can never make us read past the end.
 */
export class BlobCursor {
  offset = 0;

  constructor(readonly blob: Uint8Array) {}

  get remaining(): number {
    return this.blob.length - this.offset;
  }

  byte(what: string): number {
    if (this.offset >= this.blob.length) throw new InvalidTransactionError(`truncated before ${what}`, this.offset);
    return this.blob[this.offset++];
  }

  varint(what: string): bigint {
    const start = this.offset;
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = this.byte(what);
      value |= BigInt(b & 0x7f) << shift;
      if (value > MAX_U64) throw new InvalidTransactionError(`${what} varint exceeds 64 bits`, start);
      if ((b & 0x80) === 0) {
        if (b === 0 && shift > 0n) throw new InvalidTransactionError(`${what} varint is not canonical`, start);
        return value;
      }
    }
  }

  /** A varint used as an element count; each element takes at least `minElementSize` bytes. */
  count(what: string, minElementSize: number): number {
    const start = this.offset;
    const n = this.varint(what);
    if (n * BigInt(Math.max(minElementSize, 1)) > BigInt(this.remaining)) {
      throw new InvalidTransactionError(`${what} ${n} does not fit in the ${this.remaining} bytes left`, start);
    }
    return Number(n);
  }

  skip(bytes: number, what: string): void {
    if (bytes > this.remaining) throw new InvalidTransactionError(`truncated inside ${what}`, this.offset);
    this.offset += bytes;
  }

  /** A varint-counted vector of fixed-size elements. */
  skipVector(elementSize: number, what: string): number {
    const n = this.count(what, elementSize);
    this.skip(n * elementSize, what);
    return n;
  }
}
