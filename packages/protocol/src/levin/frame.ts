import { LEVIN_HEADER_SIZE, LevinFlags, LevinReturnCode } from './constants';
import { writeLevinHeader } from './header';

/** What a frame carries; header fields default as for a notification. */
export interface LevinFrameInit {
  readonly command: number;
  readonly body: Uint8Array;
  readonly expectsResponse?: boolean;
  readonly returnCode?: number;
  readonly flags?: number;
}

/** Header + body as one buffer. */
export function encodeFrame(init: LevinFrameInit): Buffer {
  const out = Buffer.allocUnsafe(LEVIN_HEADER_SIZE + init.body.length);
  writeLevinHeader(
    {
      command: init.command,
      cb: init.body.length,
      expectsResponse: init.expectsResponse ?? false,
      returnCode: init.returnCode ?? 0,
      flags: init.flags ?? LevinFlags.Request,
    },
    out,
    0,
  );
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
