import { LEVIN_HEADER_SIZE, LevinFlags, LevinReturnCode } from './constants';
import { writeLevinHeader } from './header';

/** A frame's header fields; they default as for a notification. */
export interface LevinFrameHeader {
  readonly command: number;
  readonly expectsResponse?: boolean;
  readonly returnCode?: number;
  readonly flags?: number;
}

/** What a frame carries. */
export interface LevinFrameInit extends LevinFrameHeader {
  readonly body: Uint8Array;
}

/** Writes the header of a frame whose body is `bodySize` bytes at the start of `target`. */
export function writeFrameHeader(header: LevinFrameHeader, bodySize: number, target: Buffer): void {
  writeLevinHeader(
    {
      command: header.command,
      cb: bodySize,
      expectsResponse: header.expectsResponse ?? false,
      returnCode: header.returnCode ?? 0,
      flags: header.flags ?? LevinFlags.Request,
    },
    target,
    0,
  );
}

/**
 * Every Levin frame veilnode sends is laid out here: one buffer, header written, body left for
 * the caller to fill from LEVIN_HEADER_SIZE (so an epee body is written in place, not copied).
 */
export function allocateFrame(header: LevinFrameHeader, bodySize: number): Buffer {
  const out = Buffer.allocUnsafe(LEVIN_HEADER_SIZE + bodySize);
  writeFrameHeader(header, bodySize, out);
  return out;
}

/** Header + body as one buffer. */
export function encodeFrame(init: LevinFrameInit): Buffer {
  const out = allocateFrame(init, init.body.length);
  out.set(init.body, LEVIN_HEADER_SIZE);
  return out;
}

/** An invoke (request expecting one response). */
export function encodeInvoke(command: number, body: Uint8Array): Buffer {
  return encodeFrame({ command, body, expectsResponse: true, flags: LevinFlags.Request });
}

/** A notification (no response). */
export function encodeNotify(command: number, body: Uint8Array): Buffer {
  return encodeFrame({ command, body, flags: LevinFlags.Request });
}

/** A response; monerod needs a positive return code, so it defaults to 1. */
export function encodeResponse(command: number, body: Uint8Array, returnCode: number = LevinReturnCode.Success): Buffer {
  return encodeFrame({ command, body, returnCode, flags: LevinFlags.Response });
}
