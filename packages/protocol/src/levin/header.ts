import { LevinError } from './errors';
import { LEVIN_HEADER_SIZE, LEVIN_PROTOCOL_VERSION, LEVIN_SIGNATURE, LevinFlags } from './constants';

/** A decoded 33-byte bucket header. `cb` is a number; values ≥ 2^53 are reported as Infinity. */
export interface LevinHeader {
  readonly cb: number;
  /** have_to_return_data: set on invokes. */
  readonly expectsResponse: boolean;
  readonly command: number;
  readonly returnCode: number;
  readonly flags: number;
  readonly protocolVersion: number;
}

/** True when the 8 bytes at `offset` are the Levin signature. */
export function hasLevinSignature(buf: Uint8Array, offset = 0): boolean {
  for (let i = 0; i < 8; i++) if (buf[offset + i] !== LEVIN_SIGNATURE[i]) return false;
  return true;
}

/** Reads the header fields at `offset` without checking the signature. */
export function readLevinHeader(buf: Buffer, offset = 0): LevinHeader {
  if (buf.length - offset < LEVIN_HEADER_SIZE) {
    throw new LevinError('LEVIN_TRUNCATED', `header needs ${LEVIN_HEADER_SIZE} bytes, got ${buf.length - offset}`);
  }
  // Plain byte arithmetic: the length is checked once above (this runs for every message).
  const lo = u32(buf, offset + 8);
  const hi = u32(buf, offset + 12);
  return {
    cb: hi < 0x200000 ? hi * 2 ** 32 + lo : Infinity,
    expectsResponse: buf[offset + 16] !== 0,
    command: u32(buf, offset + 17),
    returnCode: u32(buf, offset + 21) | 0,
    flags: u32(buf, offset + 25),
    protocolVersion: u32(buf, offset + 29),
  };
}

function u32(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0;
}

/** Decodes a header at `offset`, checking the signature. */
export function decodeLevinHeader(buf: Buffer, offset = 0): LevinHeader {
  if (buf.length - offset >= 8 && !hasLevinSignature(buf, offset)) {
    throw new LevinError('LEVIN_BAD_SIGNATURE', 'bad bucket signature', { signature: buf.toString('hex', offset, offset + 8) });
  }
  return readLevinHeader(buf, offset);
}

/** Header fields a sender chooses; the rest default as monerod writes them. */
export interface LevinHeaderInit {
  readonly command: number;
  readonly cb: number;
  readonly expectsResponse?: boolean;
  readonly returnCode?: number;
  readonly flags: number;
  readonly protocolVersion?: number;
}

function isUint32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

/** Writes a 33-byte header into `target` at `offset`; returns the end offset. */
export function writeLevinHeader(h: LevinHeaderInit, target: Buffer, offset = 0): number {
  if (!Number.isSafeInteger(h.cb) || h.cb < 0) throw new LevinError('LEVIN_BAD_ARGUMENT', `bad body length ${h.cb}`, { cb: h.cb });
  if (!isUint32(h.command) || !isUint32(h.flags) || !isUint32(h.protocolVersion ?? 1)) {
    throw new LevinError('LEVIN_BAD_ARGUMENT', 'command, flags and protocol version must be uint32', { command: h.command, flags: h.flags });
  }
  const rc = h.returnCode ?? 0;
  if (!Number.isInteger(rc) || rc < -(2 ** 31) || rc >= 2 ** 31) {
    throw new LevinError('LEVIN_BAD_ARGUMENT', `return code ${rc} is not an int32`, { returnCode: rc });
  }
  LEVIN_SIGNATURE.copy(target, offset);
  target.writeUInt32LE(h.cb % 2 ** 32, offset + 8);
  target.writeUInt32LE(Math.floor(h.cb / 2 ** 32), offset + 12);
  target[offset + 16] = h.expectsResponse ? 1 : 0;
  target.writeUInt32LE(h.command, offset + 17);
  target.writeInt32LE(rc, offset + 21);
  target.writeUInt32LE(h.flags, offset + 25);
  target.writeUInt32LE(h.protocolVersion ?? LEVIN_PROTOCOL_VERSION, offset + 29);
  return offset + LEVIN_HEADER_SIZE;
}

export function encodeLevinHeader(h: LevinHeaderInit): Buffer {
  const out = Buffer.allocUnsafe(LEVIN_HEADER_SIZE);
  writeLevinHeader(h, out, 0);
  return out;
}

/** Noise or fragment: neither REQUEST nor RESPONSE is set (docs/levin.md). */
export function isSpecialFrame(flags: number): boolean {
  return (flags & (LevinFlags.Request | LevinFlags.Response)) === 0;
}
