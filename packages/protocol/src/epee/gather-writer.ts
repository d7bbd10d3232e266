import { bufferView } from './buffer-view';
import { writeVarint } from './varint';
import { EpeeWriter } from './writer';

const FIRST_SCRATCH = 1024;

/**
 * An EpeeWriter that keeps large byte strings (tx blobs) by reference instead of copying them:
 * the result is a list of buffers whose concatenation is the encoding, ready for a vectored
 * socket write. Only the small glue between the blobs (keys, tags, lengths) is written, into
 * scratch buffers that grow as needed, so encoding costs O(entries), like view-based decoding.
 */
export class GatherWriter extends EpeeWriter {
  private readonly parts: Buffer[] = [];
  private segmentStart = 0;
  private readonly pending: { buf: Buffer; pos: number }[] = [];
  /** `buf`'s memory, kept apart so that flushing a segment reads no Buffer getters. */
  private memory: ArrayBufferLike;
  private memoryOffset: number;

  /**
   * @param headroom bytes left zeroed at the start of the first part (e.g. for a Levin header)
   * @param minReference byte strings at least this long are referenced, not copied
   */
  constructor(
    headroom = 0,
    private readonly minReference = 256,
  ) {
    // from the shared pool when small; only the headroom has to be zero
    const first = Buffer.allocUnsafe(Math.max(FIRST_SCRATCH, headroom * 2));
    first.fill(0, 0, headroom);
    super(first, headroom);
    this.memory = first.buffer;
    this.memoryOffset = first.byteOffset;
  }

  private reserve(n: number): void {
    if (this.buf.length - this.pos >= n) return;
    this.flush();
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    this.memory = this.buf.buffer;
    this.memoryOffset = this.buf.byteOffset;
    this.pos = 0;
    this.segmentStart = 0;
  }

  private flush(): void {
    const start = this.segmentStart;
    if (this.pos > start) this.parts.push(bufferView(this.memory, this.memoryOffset + start, this.pos - start));
    this.segmentStart = this.pos;
  }

  /** The encoding as buffers to be written in order. */
  finish(): Buffer[] {
    this.flush();
    return this.parts;
  }

  override placeholder(): number {
    this.reserve(1);
    this.pending.push({ buf: this.buf, pos: this.pos++ });
    return this.pending.length - 1;
  }

  override patch(token: number, byte: number): void {
    const p = this.pending[token];
    p.buf[p.pos] = byte;
  }

  override u8(v: number): void {
    this.reserve(1);
    super.u8(v);
  }

  override u16(v: number): void {
    this.reserve(2);
    super.u16(v);
  }

  override u32(v: number): void {
    this.reserve(4);
    super.u32(v);
  }

  override i8(v: number): void {
    this.reserve(1);
    super.i8(v);
  }

  override i16(v: number): void {
    this.reserve(2);
    super.i16(v);
  }

  override i32(v: number): void {
    this.reserve(4);
    super.i32(v);
  }

  override u64(v: bigint): void {
    this.reserve(8);
    super.u64(v);
  }

  override i64(v: bigint): void {
    this.reserve(8);
    super.i64(v);
  }

  override f64(v: number): void {
    this.reserve(8);
    super.f64(v);
  }

  override varint(n: number): void {
    this.reserve(8);
    super.varint(n);
  }

  override latin1(s: string): void {
    this.reserve(s.length);
    super.latin1(s);
  }

  /** A string value; a long one (a tx blob) costs one length write and one reference. */
  override string(b: Uint8Array): void {
    if (b.length < this.minReference) {
      super.string(b);
      return;
    }
    this.reserve(8);
    this.pos = writeVarint(this.buf, this.pos, b.length);
    this.reference(b);
  }

  override bytes(b: Uint8Array): void {
    if (b.length < this.minReference) {
      this.reserve(b.length);
      super.bytes(b);
      return;
    }
    this.reference(b);
  }

  private reference(b: Uint8Array): void {
    this.flush();
    this.parts.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));
  }
}
