import { EpeeError, type EpeeErrorCode } from './errors';
import { EPEE_MAX_STRING_LENGTH, EPEE_P2P_LIMITS, EPEE_RECURSION_LIMIT, type EpeeLimits } from './limits';
import { EPEE_MIN_ELEMENT_SIZE, EpeeTag } from './tags';

/**
 * Cursor over one portable-storage blob with every monerod limit applied while reading.
 *
 * Recursion: monerod bumps a counter on every nested reader call and fails when it reaches 100.
 * We reproduce that counter arithmetically instead of limiting "depth": a section read at counter
 * `c` reads its count at c+4, string fields at c+8, nested objects at c+3, arrays at c+2 (c+3 when
 * introduced by tag 13) — see `beginSection`, `checkStringField`, `beginArray`. This accepts and
 * rejects exactly what monerod does.
 */
export class EpeeReader {
  pos: number;
  readonly end: number;
  private objects = 0;
  private fields = 0;
  private strings = 0;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly limits: EpeeLimits = EPEE_P2P_LIMITS,
  ) {
    this.pos = start;
    this.end = buf.length;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(code: EpeeErrorCode, reason: string, context: Record<string, unknown> = {}, offset = this.pos): never {
    throw new EpeeError(code, reason, { offset, ...context });
  }

  need(n: number, what: string): void {
    if (this.end - this.pos < n) this.fail('EPEE_TRUNCATED', `${what} needs ${n} bytes, ${this.end - this.pos} left`);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('EPEE_TRUNCATED', 'unexpected end of data');
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  i16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8, 'uint64');
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  i64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  f64(): number {
    this.need(8, 'double');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    const at = this.pos;
    const b = this.u8();
    if (b > 1) this.fail('EPEE_BAD_VALUE', `bool byte must be 0 or 1, got ${b}`, {}, at);
    return b === 1;
  }

  /** Varint with the width in the 2 low bits of the first byte; non-minimal forms are accepted. */
  varint(): number {
    if (this.pos >= this.end) this.fail('EPEE_TRUNCATED', 'unexpected end of data, expected a varint');
    const buf = this.buf;
    const p = this.pos;
    const b0 = buf[p];
    switch (b0 & 3) {
      case 0:
        this.pos = p + 1;
        return b0 >>> 2;
      case 1:
        this.need(2, 'varint');
        this.pos = p + 2;
        return (b0 | (buf[p + 1] << 8)) >>> 2;
      case 2:
        this.need(4, 'varint');
        this.pos = p + 4;
        return buf.readUInt32LE(p) >>> 2;
      default: {
        this.need(8, 'varint');
        this.pos = p + 8;
        // Exact below 2^53; larger values only ever fail the limit checks they feed.
        return buf.readUInt32LE(p + 4) * 2 ** 30 + (buf.readUInt32LE(p) >>> 2);
      }
    }
  }

  /** A string value as a zero-copy view into the input. Counts towards the string limit. */
  string(): Buffer {
    if (++this.strings > this.limits.maxStrings) this.fail('EPEE_LIMIT', `more than ${this.limits.maxStrings} strings`);
    const at = this.pos;
    const len = this.varint();
    if (len >= EPEE_MAX_STRING_LENGTH) this.fail('EPEE_LIMIT', `string length ${len} is too big`, {}, at);
    if (len > this.end - this.pos) {
      this.fail('EPEE_TRUNCATED', `string length ${len} exceeds the ${this.end - this.pos} bytes left`, {}, at);
    }
    const start = this.pos;
    this.pos = start + len;
    return this.buf.subarray(start, start + len);
  }

  /** Called for every nested section (not the root). */
  countObject(): void {
    if (++this.objects > this.limits.maxObjects) this.fail('EPEE_LIMIT', `more than ${this.limits.maxObjects} objects`);
  }

  private recursion(counter: number): void {
    if (counter >= EPEE_RECURSION_LIMIT) this.fail('EPEE_LIMIT', `recursion limit ${EPEE_RECURSION_LIMIT} exceeded (nesting too deep)`);
  }

  /** Starts a section whose reader runs at recursion counter `rec`; returns its entry count. */
  beginSection(rec: number): number {
    this.recursion(rec + 4);
    const at = this.pos;
    const count = this.varint();
    if (count > this.limits.maxFields - this.fields) {
      this.fail('EPEE_LIMIT', `section with ${count} entries exceeds the ${this.limits.maxFields}-field limit`, {}, at);
    }
    this.fields += count;
    return count;
  }

  /** Reads a key length byte and returns it; the key bytes start at `pos`. */
  keyLength(): number {
    const at = this.pos;
    const len = this.u8();
    if (len === 0) this.fail('EPEE_BAD_VALUE', 'empty key', {}, at);
    this.need(len, 'key');
    return len;
  }

  /** Key of the entry last read by `entry()`: bytes buf[keyPos, keyPos + keyLen). */
  keyPos = 0;
  keyLen = 0;
  /** For the entry last read: the monerod counter its nested section (or array) is read at. */
  nest = 0;

  /**
   * Reads one section entry's key and type byte (resolving the tag-13 array form) of a section
   * read at counter `rec`. Returns the value tag (element tag | 0x80 for arrays) and sets
   * `keyPos`, `keyLen` and `nest`; the value itself follows at `pos`.
   */
  entry(rec: number): number {
    const len = this.keyLength();
    this.keyPos = this.pos;
    this.keyLen = len;
    this.pos += len;
    const at = this.pos;
    const tag = this.u8();
    if (tag === EpeeTag.Array) {
      const inner = this.u8();
      if ((inner & 0x80) === 0) this.fail('EPEE_BAD_TYPE', `tag 13 must be followed by an array type, got ${inner}`, {}, at);
      this.nest = rec + 3;
      return inner;
    }
    if ((tag & 0x80) !== 0) {
      this.nest = rec + 2;
      return tag;
    }
    if (tag === EpeeTag.String) this.recursion(rec + 8);
    this.nest = rec + 3;
    return tag;
  }

  /** The key of the entry last read, as a latin1 string (one char per byte). */
  keyString(): string {
    return this.buf.toString('latin1', this.keyPos, this.keyPos + this.keyLen);
  }

  /**
   * Starts an array whose element tag is `elementTag`, read at monerod counter `arrayLevel`.
   * Applies the "count ≤ remaining ÷ minimum element size" sanity check; returns the count.
   */
  beginArray(elementTag: number, arrayLevel: number): number {
    const min = EPEE_MIN_ELEMENT_SIZE[elementTag];
    if (min === undefined) this.fail('EPEE_BAD_TYPE', `unknown array element type ${elementTag}`, {}, this.pos - 1);
    this.recursion(arrayLevel + 5);
    const at = this.pos;
    const count = this.varint();
    if (count > Math.floor((this.end - this.pos) / min)) {
      this.fail('EPEE_LIMIT', `array of ${count} elements cannot fit in the ${this.end - this.pos} bytes left`, {}, at);
    }
    if (count > 0) {
      if (elementTag === EpeeTag.Array) this.fail('EPEE_BAD_TYPE', 'arrays of arrays are not supported', {}, at);
      this.recursion(arrayLevel + (elementTag === EpeeTag.String ? 7 : 4));
    }
    return count;
  }
}
