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
  /** Portable-storage body; a view into the received bytes (do not reuse pushed chunks). */
  readonly body: Buffer;
  /** Arrived as BEGIN/…/END fragments and was reassembled. */
  readonly fragmented: boolean;
}

export function toLevinMessage(h: LevinHeader, body: Buffer, fragmented: boolean): LevinMessage {
  const isResponse = (h.flags & LevinFlags.Response) !== 0 && h.protocolVersion === LEVIN_PROTOCOL_VERSION;
  return {
    command: h.command,
    returnCode: h.returnCode,
    flags: h.flags,
    protocolVersion: h.protocolVersion,
    isResponse,
    isRequest: !isResponse,
    expectsResponse: !isResponse && h.expectsResponse,
    body,
    fragmented,
  };
}
