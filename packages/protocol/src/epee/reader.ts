import { bufferView } from './buffer-view';
import { EpeeError, type EpeeErrorCode } from './errors';
import { EPEE_MAX_STRING_LENGTH, EPEE_P2P_LIMITS, EPEE_RECURSION_LIMIT, type EpeeLimits } from './limits';
import { EPEE_MIN_ELEMENT_SIZE, EpeeTag } from './tags';
import { readI64, readU64 } from './u64';

/** Unsigned little-endian 32-bit read (caller checked bounds). */
const EMPTY_BYTES = new Uint8Array(0);

function le32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

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
  /** Read position within the current window (`bytes`); `offset` is the position in the whole input. */
  pos: number;
  /** End of the current window. */
  end: number;
  /** The current window as a plain Uint8Array: one element-access shape whatever Buffer class `buf` is. */
  bytes: Uint8Array;
  /** The current window as a Buffer. */
  buf: Buffer;
  /** Input offset of `bytes[0]` (0 unless the input came in segments). */
  private origin = 0;
  /** Length of the whole input. */
  private total: number;
  /** Segmented input: the segments and the input offset each starts at; null for one buffer. */
  private segments: readonly Buffer[] | null = null;
  private starts: readonly number[] = [];
  private segment = 0;
  private arrayBuffer: ArrayBufferLike;
  private base: number;
  private objects = 0;
  private fields = 0;
  private strings = 0;

  constructor(
    buf: Buffer,
    start = 0,
    readonly limits: EpeeLimits = EPEE_P2P_LIMITS,
  ) {
    this.pos = start;
    this.end = buf.length;
    this.total = buf.length;
    this.buf = buf;
    this.arrayBuffer = buf.buffer;
    this.base = buf.byteOffset;
    this.bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  }

  /**
   * A reader over an input that arrived in pieces (e.g. a Levin body spread over socket chunks),
   * without joining them: values inside one piece are read in place and strings come back as
   * views; only a value that straddles two pieces is copied (a few bytes, or that one string).
   */
  static fromSegments(segments: readonly Buffer[], start = 0, limits: EpeeLimits = EPEE_P2P_LIMITS): EpeeReader {
    const parts = segments.filter((s) => s.length > 0);
    if (parts.length <= 1) return new EpeeReader(parts[0] ?? Buffer.alloc(0), start, limits);
    const starts: number[] = [];
    let total = 0;
    for (const s of parts) {
      starts.push(total);
      total += s.length;
    }
    const r = new EpeeReader(parts[0], 0, limits);
    r.segments = parts;
    r.starts = starts;
    r.total = total;
    r.seek(start);
    return r;
  }

  /** Position in the whole input (what error offsets report). */
  get offset(): number {
    return this.origin + this.pos;
  }

  get remaining(): number {
    return this.total - this.origin - this.pos;
  }

  /** Throws an EpeeError; `offset` is a position in the whole input (see `offset`). */
  fail(code: EpeeErrorCode, reason: string, context: Record<string, unknown> = {}, offset = this.offset): never {
    throw new EpeeError(code, reason, { offset, ...context });
  }

  need(n: number, what: string): void {
    if (this.end - this.pos < n && !this.window(n)) this.fail('EPEE_TRUNCATED', `${what} needs ${n} bytes, ${this.remaining} left`);
  }

  /**
   * Slow path when the current window has fewer than `n` bytes at `pos`: for segmented input,
   * makes the next `n` input bytes contiguous (moving to the segment that holds them, or to a
   * copy of them when they straddle a boundary). False when fewer than `n` input bytes are left.
   */
  private window(n: number): boolean {
    const segments = this.segments;
    if (segments === null) return false;
    const at = this.origin + this.pos;
    if (this.total - at < n) return false;
    this.seek(at);
    if (this.end - this.pos >= n) return true;
    this.show(this.copyOut(at, n), at);
    return true;
  }

  /** Makes the segment holding input offset `at` the window, positioned at `at`. */
  private seek(at: number): void {
    const segments = this.segments as readonly Buffer[];
    let i = this.segment;
    while (i > 0 && this.starts[i] > at) i--;
    while (i + 1 < segments.length && this.starts[i + 1] <= at) i++;
    this.segment = i;
    this.show(segments[i], this.starts[i]);
    this.pos = at - this.starts[i];
  }

  private show(window: Buffer, origin: number): void {
    this.buf = window;
    this.bytes = new Uint8Array(window.buffer, window.byteOffset, window.length);
    this.arrayBuffer = window.buffer;
    this.base = window.byteOffset;
    this.end = window.length;
    this.origin = origin;
    this.pos = 0;
  }

  /** Copies input bytes [at, at + n) out of the segments (the caller checked they exist). */
  private copyOut(at: number, n: number): Buffer {
    const segments = this.segments as readonly Buffer[];
    const out = Buffer.allocUnsafe(n);
    let i = this.segment;
    while (this.starts[i] + segments[i].length <= at) i++;
    for (let filled = 0; filled < n; i++) {
      const from = at + filled - this.starts[i];
      const k = Math.min(segments[i].length - from, n - filled);
      segments[i].copy(out, filled, from, from + k);
      filled += k;
    }
    return out;
  }

  u8(): number {
    if (this.pos >= this.end && !this.window(1)) this.fail('EPEE_TRUNCATED', 'unexpected end of data');
    return this.bytes[this.pos++];
  }

  u16(): number {
    this.need(2, 'uint16');
    const v = this.bytes[this.pos] | (this.bytes[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4, 'uint32');
    const v = le32(this.bytes, this.pos);
    this.pos += 4;
    return v;
  }

  i8(): number {
    this.need(1, 'int8');
    return (this.bytes[this.pos++] << 24) >> 24;
  }

  i16(): number {
    this.need(2, 'int16');
    const v = ((this.bytes[this.pos] | (this.bytes[this.pos + 1] << 8)) << 16) >> 16;
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4, 'int32');
    const v = le32(this.bytes, this.pos) | 0;
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8, 'uint64');
    const v = readU64(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  i64(): bigint {
    this.need(8, 'int64');
    const v = readI64(this.buf, this.pos);
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
    const at = this.offset;
    const b = this.u8();
    if (b > 1) this.fail('EPEE_BAD_VALUE', `bool byte must be 0 or 1, got ${b}`, {}, at);
    return b === 1;
  }

  /** Varint with the width in the 2 low bits of the first byte; non-minimal forms are accepted. */
  varint(): number {
    if (this.pos >= this.end && !this.window(1)) this.fail('EPEE_TRUNCATED', 'unexpected end of data, expected a varint');
    const b0 = this.bytes[this.pos];
    const width = 1 << (b0 & 3);
    if (width > 1) this.need(width, 'varint');
    const buf = this.bytes;
    const p = this.pos;
    this.pos = p + width;
    switch (width) {
      case 1:
        return b0 >>> 2;
      case 2:
        return (buf[p] | (buf[p + 1] << 8)) >>> 2;
      case 4:
        return le32(buf, p) >>> 2;
      default:
        // Exact below 2^53; larger values only ever fail the limit checks they feed.
        return le32(buf, p + 4) * 2 ** 30 + (le32(buf, p) >>> 2);
    }
  }

  /** A string value as a zero-copy view into the input. Counts towards the string limit. */
  string(): Buffer {
    if (++this.strings > this.limits.maxStrings) this.fail('EPEE_LIMIT', `more than ${this.limits.maxStrings} strings`);
    const at = this.offset;
    const len = this.varint();
    if (len >= EPEE_MAX_STRING_LENGTH) this.fail('EPEE_LIMIT', `string length ${len} is too big`, {}, at);
    if (len > this.end - this.pos) return this.splitString(len, at);
    const start = this.pos;
    this.pos = start + len;
    return bufferView(this.arrayBuffer, this.base + start, len);
  }

  /** A string that does not lie within the current window: a view if one segment holds it, else a copy. */
  private splitString(len: number, at: number): Buffer {
    if (len > this.remaining) this.fail('EPEE_TRUNCATED', `string length ${len} exceeds the ${this.remaining} bytes left`, {}, at);
    const start = this.offset;
    this.seek(start);
    if (this.end - this.pos >= len) {
      const view = bufferView(this.arrayBuffer, this.base + this.pos, len);
      this.pos += len;
      return view;
    }
    const copy = this.copyOut(start, len);
    this.seek(start + len);
    return copy;
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
    const at = this.offset;
    const count = this.varint();
    if (count > this.limits.maxFields - this.fields) {
      this.fail('EPEE_LIMIT', `section with ${count} entries exceeds the ${this.limits.maxFields}-field limit`, {}, at);
    }
    this.fields += count;
    return count;
  }

  /** Reads a key length byte and returns it; the key bytes are then contiguous at `bytes[pos]`. */
  keyLength(): number {
    const at = this.offset;
    const len = this.u8();
    if (len === 0) this.fail('EPEE_BAD_VALUE', 'empty key', {}, at);
    this.need(len, 'key');
    return len;
  }

  /** Key of the entry last read by `entry()`: keyBytes[keyPos, keyPos + keyLen), at input offset `keyOffset`. */
  keyBytes: Uint8Array = EMPTY_BYTES;
  keyPos = 0;
  keyLen = 0;
  keyOffset = 0;
  /** For the entry last read: the monerod counter its nested section (or array) is read at. */
  nest = 0;

  /**
   * Reads one section entry's key and type byte (resolving the tag-13 array form) of a section
   * read at counter `rec`. Returns the value tag (element tag | 0x80 for arrays) and sets
   * `keyBytes`, `keyPos`, `keyLen`, `keyOffset` and `nest`; the value itself follows at `pos`.
   */
  entry(rec: number): number {
    const len = this.keyLength();
    this.keyBytes = this.bytes;
    this.keyPos = this.pos;
    this.keyLen = len;
    this.keyOffset = this.offset;
    this.pos += len;
    const at = this.offset;
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
    const k = this.keyBytes;
    return Buffer.from(k.buffer, k.byteOffset + this.keyPos, this.keyLen).toString('latin1');
  }

  /**
   * Starts an array whose element tag is `elementTag`, read at monerod counter `arrayLevel`.
   * Applies the "count ≤ remaining ÷ minimum element size" sanity check; returns the count.
   */
  beginArray(elementTag: number, arrayLevel: number): number {
    const min = EPEE_MIN_ELEMENT_SIZE[elementTag];
    if (min === undefined) this.fail('EPEE_BAD_TYPE', `unknown array element type ${elementTag}`, {}, this.offset - 1);
    this.recursion(arrayLevel + 5);
    const at = this.offset;
    const count = this.varint();
    if (count > Math.floor(this.remaining / min)) {
      this.fail('EPEE_LIMIT', `array of ${count} elements cannot fit in the ${this.remaining} bytes left`, {}, at);
    }
    if (count > 0) {
      if (elementTag === EpeeTag.Array) this.fail('EPEE_BAD_TYPE', 'arrays of arrays are not supported', {}, at);
      this.recursion(arrayLevel + (elementTag === EpeeTag.String ? 7 : 4));
    }
    return count;
  }
}
