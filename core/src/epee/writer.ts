import { writeVarint } from './varint';

/**
 * Output cursor over a buffer that was sized exactly beforehand (codecs compute `size()` first,
 * validating every value, so writing needs no bounds or range checks of its own).
 */
export class EpeeWriter {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

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
    this.pos = this.buf.writeBigUInt64LE(v, this.pos);
  }

  i64(v: bigint): void {
    this.pos = this.buf.writeBigInt64LE(v, this.pos);
  }

  f64(v: number): void {
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }

  varint(n: number): void {
    this.pos = writeVarint(this.buf, this.pos, n);
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A string value: varint length + raw bytes. */
  string(b: Uint8Array): void {
    this.varint(b.length);
    this.bytes(b);
  }
}
