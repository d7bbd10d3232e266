import { LevinFlags, LEVIN_PROTOCOL_VERSION } from './constants';
import type { LevinHeader } from './header';

/** One complete Levin message as the stream decoder emits it. */
export interface LevinMessage {
  readonly command: number;
  readonly returnCode: number;
  readonly flags: number;
  readonly protocolVersion: number;
  /** A response to one of our invokes (RESPONSE flag and protocol version 1, as monerod decides). */
  readonly isResponse: boolean;
  /** An invoke or a notification. */
  readonly isRequest: boolean;
  /** An invoke: the peer waits for exactly one response with this command id. */
  readonly expectsResponse: boolean;
  /**
   * The portable-storage body as views into the received chunks, in order: one view when the body
   * arrived within one chunk, several when it spans chunks. Decode it without joining:
   * `codec.decode(message.segments)`. Do not reuse pushed chunks.
   */
  readonly segments: readonly Buffer[];
  /** The body as one Buffer: a view when it arrived within one chunk, else joined (copied) on first use. */
  readonly body: Buffer;
  /** Arrived as BEGIN/…/END fragments and was reassembled. */
  readonly fragmented: boolean;
}

const EMPTY = Buffer.alloc(0);

/** A message as the stream decoder emits it: header fields computed once, the body joined only if asked for. */
class ReceivedLevinMessage implements LevinMessage {
  readonly command: number;
  readonly returnCode: number;
  readonly flags: number;
  readonly protocolVersion: number;
  readonly isResponse: boolean;
  readonly isRequest: boolean;
  readonly expectsResponse: boolean;
  private joined: Buffer | null;

  constructor(
    h: LevinHeader,
    readonly segments: readonly Buffer[],
    readonly fragmented: boolean,
  ) {
    const isResponse = (h.flags & LevinFlags.Response) !== 0 && h.protocolVersion === LEVIN_PROTOCOL_VERSION;
    this.command = h.command;
    this.returnCode = h.returnCode;
    this.flags = h.flags;
    this.protocolVersion = h.protocolVersion;
    this.isResponse = isResponse;
    this.isRequest = !isResponse;
    this.expectsResponse = !isResponse && h.expectsResponse;
    this.joined = segments.length === 0 ? EMPTY : segments.length === 1 ? segments[0] : null;
  }

  get body(): Buffer {
    this.joined ??= Buffer.concat(this.segments);
    return this.joined;
  }
}

/** A received message whose body is `segments` (views of the received bytes, in order). */
export function toLevinMessage(h: LevinHeader, segments: readonly Buffer[], fragmented: boolean): LevinMessage {
  return new ReceivedLevinMessage(h, segments, fragmented);
}
