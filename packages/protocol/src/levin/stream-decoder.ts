import { bufferView } from '../epee/buffer-view';
import { LevinError } from './errors';
import { commandSizeCap, LEVIN_HEADER_SIZE, LEVIN_INITIAL_MAX_PACKET_SIZE, LEVIN_DEFAULT_MAX_PACKET_SIZE, LevinFlags, LEVIN_SIGNATURE } from './constants';
import { hasLevinSignature, isSpecialFrame, readLevinHeader, type LevinHeader } from './header';
import { toLevinMessage, type LevinMessage } from './message';
import type { ReceiveBudget } from './receive-budget';

/** A body in more than this many pieces averaging under MIN_SEGMENT_BYTES is joined into one buffer. */
const MAX_SMALL_SEGMENTS = 16;
const MIN_SEGMENT_BYTES = 4096;

export interface LevinStreamDecoderOptions {
  /** Packet limit to start with; defaults to the 256 KiB pre-handshake limit. */
  readonly maxPacketSize?: number;
  /** Largest body accepted per command (the packet limit applies too); default monerod's caps (commandSizeCap). */
  readonly maxBody?: (command: number) => number;
  /**
   * Commands whose bodies are not kept: they are dropped as they arrive and the message is
   * emitted with no body, so a peer can make us hold none of them, whatever their size.
   */
  readonly discardBody?: (command: number) => boolean;
  /** Most bytes of BEGIN…END fragments held for reassembly; default the packet limit. */
  readonly maxReassembly?: number;
  /** Shared by all connections: a large body is refused (LEVIN_RECEIVE_BUDGET) when it does not fit. */
  readonly budget?: ReceiveBudget;
}

/**
 * Incremental Levin parser for one connection, mirroring monerod's receive path: push chunks as
 * they arrive, get back every message they complete.
 *
 * - The signature is checked as soon as 8 header bytes are buffered.
 * - A header's cb is checked against min(packet limit, per-command cap) before any body byte is kept.
 * - The body of a command the owner discards (`discardBody`) is dropped as it arrives, never held.
 * - Buffered bytes + reassembly buffer + the new chunk must stay within the packet limit.
 * - Noise (BEGIN|END) is skipped; BEGIN/…/END fragments are reassembled and the inner message
 *   (its cb ≤ reassembled length − 33, trailing padding ignored, inner command cap applied) is
 *   emitted like any other.
 *
 * Bodies are not copied out of the pushed chunks: a message's `segments` are views of the
 * chunks its body lies in (so a large message arriving in socket-sized chunks costs no copy;
 * decode it with `codec.decode(message.segments)`). Copied are only a header split between
 * chunks (33 bytes) and a body that trickled in as many small chunks (joined into one). After the first error the decoder is dead: buffers are released and every later
 * push throws the same error.
 */
export class LevinStreamDecoder {
  private maxPacket: number;
  private chunks: Buffer[] = [];
  private head = 0; // index of the first unconsumed chunk
  private headOffset = 0; // consumed bytes of chunks[head]
  private buffered = 0;
  private header: LevinHeader | null = null;
  private signatureChecked = false;
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  /** Body bytes of the current (discarded) message still to drop. */
  private discardLeft = 0;
  /** Bytes of the budget the current message holds. */
  private reserved = 0;
  private readonly budget: ReceiveBudget | undefined;
  private failure: LevinError | null = null;
  private readonly maxBody: (command: number) => number;
  private readonly discardBody: (command: number) => boolean;
  private readonly maxReassembly: number | undefined;

  constructor(options: LevinStreamDecoderOptions = {}) {
    this.maxPacket = LevinStreamDecoder.checkLimit(options.maxPacketSize ?? LEVIN_INITIAL_MAX_PACKET_SIZE);
    this.maxBody = options.maxBody ?? commandSizeCap;
    this.discardBody = options.discardBody ?? (() => false);
    this.maxReassembly = options.maxReassembly;
    this.budget = options.budget;
  }

  private static checkLimit(n: number): number {
    if (!(n > 0)) throw new LevinError('LEVIN_BAD_ARGUMENT', `packet limit must be positive, got ${n}`, { maxPacketSize: n });
    return n;
  }

  /** Current packet limit. */
  get maxPacketSize(): number {
    return this.maxPacket;
  }

  /** Changes the packet limit (e.g. to the 100 MB post-handshake limit). */
  setMaxPacketSize(n: number): void {
    this.maxPacket = LevinStreamDecoder.checkLimit(n);
  }

  /** Switches to monerod's post-handshake limit (100,000,000 bytes). */
  useHandshakeCompleteLimit(): void {
    this.setMaxPacketSize(LEVIN_DEFAULT_MAX_PACKET_SIZE);
  }

  /** Bytes held: unparsed stream bytes plus the fragment reassembly buffer. */
  get bufferedBytes(): number {
    return this.buffered + this.fragmentBytes;
  }

  /** The error that killed this decoder, if any. */
  get error(): LevinError | null {
    return this.failure;
  }

  /** Feeds received bytes; returns the messages they complete (possibly none). Throws LevinError. */
  push(chunk: Buffer): LevinMessage[] {
    if (this.failure !== null) throw this.failure;
    const out: LevinMessage[] = [];
    if (chunk.length === 0) return out;
    try {
      if (this.buffered + this.fragmentBytes + chunk.length > this.maxPacket) {
        throw new LevinError('LEVIN_BUFFER_LIMIT', `buffered bytes would exceed the ${this.maxPacket}-byte packet limit`, {
          buffered: this.buffered,
          reassembly: this.fragmentBytes,
          incoming: chunk.length,
          maxPacketSize: this.maxPacket,
        });
      }
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.drain(out);
      return out;
    } catch (e) {
      this.failure = e instanceof LevinError ? e : new LevinError('LEVIN_DECODER_FAILED', 'unexpected decoder failure', {}, { cause: e });
      this.release();
      throw this.failure;
    }
  }

  /**
   * Drops every buffered byte and ends the decoder (later pushes throw): call when the
   * connection closes, so nothing it received stays reachable through the decoder.
   */
  dispose(): void {
    this.failure ??= new LevinError('LEVIN_DECODER_FAILED', 'decoder disposed');
    this.release();
  }

  private release(): void {
    this.releaseBudget();
    this.discardLeft = 0;
    this.chunks = [];
    this.head = 0;
    this.headOffset = 0;
    this.buffered = 0;
    this.fragments = [];
    this.fragmentBytes = 0;
    this.header = null;
  }

  private drain(out: LevinMessage[]): void {
    for (;;) {
      if (this.header === null) {
        if (!this.signatureChecked && this.buffered >= 8) {
          this.checkSignature();
          this.signatureChecked = true;
        }
        if (this.buffered < LEVIN_HEADER_SIZE) return;
        const h = this.takeHeader();
        this.checkBodySize(h, 'cb');
        this.header = h;
        if (!isSpecialFrame(h.flags) && this.discardBody(h.command)) this.discardLeft = h.cb;
        else this.reserveBudget(h);
      }
      const h = this.header;
      if (this.discardLeft > 0) {
        const n = Math.min(this.discardLeft, this.buffered);
        this.consume(n);
        this.discardLeft -= n;
        if (this.discardLeft > 0) return;
        this.header = null;
        this.signatureChecked = false;
        out.push(toLevinMessage(h, [], false));
        continue;
      }
      if (this.buffered < h.cb) return;
      let body = this.takeViews(h.cb);
      this.releaseBudget();
      // a body that trickled in as many small chunks is joined: each view costs more heap than a tiny chunk it shows
      if (body.length > MAX_SMALL_SEGMENTS && h.cb / body.length < MIN_SEGMENT_BYTES) body = [Buffer.concat(body, h.cb)];
      this.header = null;
      this.signatureChecked = false;
      this.dispatch(h, body, out);
    }
  }

  private reserveBudget(h: LevinHeader): void {
    const budget = this.budget;
    if (budget === undefined || h.cb <= budget.freeBytes) return;
    if (!budget.tryReserve(h.cb)) {
      throw new LevinError('LEVIN_RECEIVE_BUDGET', `a ${h.cb}-byte body does not fit the node's receive budget now`, {
        command: h.command,
        cb: h.cb,
        used: budget.usedBytes,
        capacity: budget.capacityBytes,
      });
    }
    this.reserved = h.cb;
  }

  private releaseBudget(): void {
    if (this.reserved === 0) return;
    this.budget?.release(this.reserved);
    this.reserved = 0;
  }

  private checkSignature(): void {
    const first = this.chunks[this.head];
    if (first.length - this.headOffset >= 8) {
      if (!hasLevinSignature(first, this.headOffset)) throw new LevinError('LEVIN_BAD_SIGNATURE', 'bad bucket signature');
      return;
    }
    let c = this.head;
    let o = this.headOffset;
    for (let i = 0; i < 8; i++) {
      while (o >= this.chunks[c].length) {
        c++;
        o = 0;
      }
      if (this.chunks[c][o] !== LEVIN_SIGNATURE[i]) {
        throw new LevinError('LEVIN_BAD_SIGNATURE', 'bad bucket signature', { byte: i });
      }
      o++;
    }
  }

  /** Consumes a 33-byte header, read in place when it lies within one chunk. */
  private takeHeader(): LevinHeader {
    const first = this.chunks[this.head];
    if (first.length - this.headOffset < LEVIN_HEADER_SIZE) return readLevinHeader(this.take(LEVIN_HEADER_SIZE));
    const h = readLevinHeader(first, this.headOffset);
    this.headOffset += LEVIN_HEADER_SIZE;
    this.buffered -= LEVIN_HEADER_SIZE;
    if (this.headOffset === first.length) this.advance();
    return h;
  }

  private checkBodySize(h: LevinHeader, what: string): void {
    const limit = Math.min(this.maxPacket, this.maxBody(h.command));
    if (h.cb > limit) {
      throw new LevinError('LEVIN_TOO_BIG', `${what} ${h.cb} of command ${h.command} exceeds the limit ${limit}`, {
        command: h.command,
        cb: h.cb,
        limit,
      });
    }
  }

  /** Removes `n` buffered bytes (a split header): a view when they lie in one chunk, else one copy. */
  private take(n: number): Buffer {
    const views = this.takeViews(n);
    return views.length === 1 ? views[0] : Buffer.concat(views, n);
  }

  /** Removes `n` buffered bytes as views of the chunks they lie in, in order. */
  private takeViews(n: number): Buffer[] {
    const views: Buffer[] = [];
    this.consume(n, views);
    return views;
  }

  /** Removes `n` buffered bytes, pushing views of them onto `views` when given (else they are dropped). */
  private consume(n: number, views?: Buffer[]): void {
    if (n === 0) return;
    let left = n;
    for (;;) {
      const c = this.chunks[this.head];
      const k = Math.min(c.length - this.headOffset, left);
      views?.push(bufferView(c.buffer, c.byteOffset + this.headOffset, k));
      this.headOffset += k;
      left -= k;
      if (this.headOffset === c.length) this.advance();
      if (left === 0) break;
    }
    this.buffered -= n;
  }

  private advance(): void {
    this.head++;
    this.headOffset = 0;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 64) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }

  private dispatch(h: LevinHeader, body: Buffer[], out: LevinMessage[]): void {
    if (!isSpecialFrame(h.flags)) {
      out.push(toLevinMessage(h, body, false));
      return;
    }
    const begin = (h.flags & LevinFlags.Begin) !== 0;
    const end = (h.flags & LevinFlags.End) !== 0;
    if (begin && end) return; // dummy noise
    if (begin) {
      this.fragments = [];
      this.fragmentBytes = 0;
    }
    const reassemblyLimit = this.maxReassembly ?? this.maxPacket;
    if (this.fragmentBytes + h.cb > reassemblyLimit) {
      throw new LevinError('LEVIN_TOO_BIG', `fragments of ${this.fragmentBytes + h.cb} bytes exceed the reassembly limit ${reassemblyLimit}`, {
        reassembly: this.fragmentBytes + h.cb,
        limit: reassemblyLimit,
      });
    }
    // Copied: a view would pin the whole received chunk while only cb bytes are accounted for.
    this.fragments.push(...body.map((v) => Buffer.from(v)));
    this.fragmentBytes += h.cb;
    if (!end) return;
    const assembled = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments, this.fragmentBytes);
    this.fragments = [];
    this.fragmentBytes = 0;
    if (assembled.length < LEVIN_HEADER_SIZE) {
      throw new LevinError('LEVIN_BAD_FRAGMENT', `reassembled message of ${assembled.length} bytes is shorter than a header`, { length: assembled.length });
    }
    const inner = readLevinHeader(assembled);
    if (inner.cb > assembled.length - LEVIN_HEADER_SIZE) {
      throw new LevinError('LEVIN_BAD_FRAGMENT', `inner cb ${inner.cb} exceeds the ${assembled.length - LEVIN_HEADER_SIZE} reassembled bytes`, {
        cb: inner.cb,
        length: assembled.length,
      });
    }
    this.checkBodySize(inner, 'inner cb');
    out.push(toLevinMessage(inner, inner.cb === 0 ? [] : [assembled.subarray(LEVIN_HEADER_SIZE, LEVIN_HEADER_SIZE + inner.cb)], true));
  }
}
