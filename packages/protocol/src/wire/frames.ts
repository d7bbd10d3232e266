import type { ObjectCodec } from '../epee/object';
import { encodeStorageParts, storageSize, writeStorage } from '../epee/storage';
import { LEVIN_HEADER_SIZE, LevinFlags, LevinReturnCode } from '../levin/constants';
import { allocateFrame, writeFrameHeader, type LevinFrameHeader } from '../levin/frame';
import type { InvokeDefinition, NotifyDefinition } from './messages';

function frame<T extends object>(codec: ObjectCodec<T>, value: T, header: LevinFrameHeader): Buffer {
  const out = allocateFrame(header, storageSize(codec, value));
  writeStorage(codec, value, out, LEVIN_HEADER_SIZE);
  return out;
}

/** A complete invoke frame (header + body, one allocation). */
export function encodeInvokeMessage<Req extends object, Res extends object>(def: InvokeDefinition<Req, Res>, request: Req): Buffer {
  return frame(def.request, request, { command: def.command, expectsResponse: true });
}

/** A complete response frame; return code 1 unless told otherwise (monerod treats ≤ 0 as failure). */
export function encodeResponseMessage<Req extends object, Res extends object>(
  def: InvokeDefinition<Req, Res>,
  response: Res,
  returnCode: number = LevinReturnCode.Success,
): Buffer {
  return frame(def.response, response, { command: def.command, flags: LevinFlags.Response, returnCode });
}

/** A complete notification frame. */
export function encodeNotifyMessage<T extends object>(def: NotifyDefinition<T>, body: T): Buffer {
  return frame(def.body, body, { command: def.command });
}

/**
 * A notification as buffers to be written in order (e.g. `socket.cork()`, one `write` each,
 * `uncork()`): tx blobs are referenced, not copied. The first part holds the Levin header.
 */
export function encodeNotifyMessageParts<T extends object>(def: NotifyDefinition<T>, body: T): Buffer[] {
  const { parts, size } = encodeStorageParts(def.body, body, LEVIN_HEADER_SIZE);
  writeFrameHeader({ command: def.command }, size, parts[0]);
  return parts;
}
