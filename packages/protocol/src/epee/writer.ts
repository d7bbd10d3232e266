import { writeI64, writeU64 } from './u64';
import { writeVarint } from './varint';

/**
 * Output cursor over a buffer that was sized exactly beforehand (codecs compute `size()` first,
 * validating every value, so writing needs no bounds or range checks of its own).
 */
export class EpeeWriter {
  constructor(
    public buf: Buffer,
    public pos = 0,
  ) {}

  /** Skips one byte to be filled in later by `patch` (a section's entry count); returns a token. */
  placeholder(): number {
    return this.pos++;
  }

  patch(token: number, byte: number): void {
    this.buf[token] = byte;
  }

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.pos = this.buf.writeUInt16LE(v, this.pos);
  }

  u32(v: number): void {
    this.pos = this.buf.writeUInt32LE(v, this.pos);
  }

  i8(v: number): void {
    this.pos = this.buf.writeInt8(v, this.pos);
  }

  i16(v: number): void {
    this.pos = this.buf.writeInt16LE(v, this.pos);
  }

  i32(v: number): void {
    this.pos = this.buf.writeInt32LE(v, this.pos);
  }

  u64(v: bigint): void {
    writeU64(this.buf, this.pos, v);
    this.pos += 8;
  }

  i64(v: bigint): void {
    writeI64(this.buf, this.pos, v);
    this.pos += 8;
  }

  f64(v: number): void {
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }

  varint(n: number): void {
    this.pos = writeVarint(this.buf, this.pos, n);
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    if (n < 64) {
      // keys and hashes: a JS loop beats the native copy's call overhead
      const buf = this.buf;
      const p = this.pos;
      for (let i = 0; i < n; i++) buf[p + i] = b[i];
    } else {
      this.buf.set(b, this.pos);
    }
    this.pos += n;
  }

  /** Text as one byte per char (callers validated it is latin1). */
  latin1(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** A string value: varint length + raw bytes. */
  string(b: Uint8Array): void {
    this.varint(b.length);
    this.bytes(b);
  }
}
