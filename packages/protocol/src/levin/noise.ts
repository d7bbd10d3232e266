import { LevinError } from './errors';
import { LEVIN_HEADER_SIZE, LevinFlags, MAX_NOISE_FRAGMENTS, NOISE_FRAME_SIZE } from './constants';
import { hasLevinSignature, readLevinHeader, writeLevinHeader } from './header';

function checkSlotSize(size: number): void {
  if (!Number.isSafeInteger(size) || size <= LEVIN_HEADER_SIZE) {
    throw new LevinError('LEVIN_BAD_ARGUMENT', `noise slot size ${size} must exceed the ${LEVIN_HEADER_SIZE}-byte header`, { size });
  }
}

/** monerod's dummy noise message: command 0, flags BEGIN|END, `size − 33` zero bytes (docs/levin.md). */
export function makeNoiseFrame(size: number = NOISE_FRAME_SIZE): Buffer {
  checkSlotSize(size);
  const out = Buffer.alloc(size);
  writeLevinHeader({ command: 0, cb: size - LEVIN_HEADER_SIZE, flags: LevinFlags.Begin | LevinFlags.End }, out, 0);
  return out;
}

/**
 * Packs a complete Levin frame into noise-sized slots exactly as monerod's make_fragmented_notify:
 * if it fits in one slot, the frame itself zero-padded to `size` bytes with its cb covering the
 * padding; otherwise k fragments of exactly `size` bytes (cb = size − 33 each, flags BEGIN, 0…,
 * END, last one zero-padded). More than `maxFragments` slots is an error.
 */
export function packForNoise(innerFrame: Buffer, size: number = NOISE_FRAME_SIZE, maxFragments: number = MAX_NOISE_FRAGMENTS): Buffer[] {
  checkSlotSize(size);
  if (innerFrame.length < LEVIN_HEADER_SIZE || !hasLevinSignature(innerFrame)) {
    throw new LevinError('LEVIN_BAD_ARGUMENT', 'packForNoise needs a complete Levin frame', { length: innerFrame.length });
  }
  const inner = readLevinHeader(innerFrame);
  if (inner.cb !== innerFrame.length - LEVIN_HEADER_SIZE) {
    throw new LevinError('LEVIN_BAD_ARGUMENT', `frame length ${innerFrame.length} does not match its cb ${inner.cb}`, { cb: inner.cb });
  }
  const payload = size - LEVIN_HEADER_SIZE;
  if (innerFrame.length <= size) {
    const out = Buffer.alloc(size);
    innerFrame.copy(out);
    out.writeUInt32LE(payload, 8);
    out.writeUInt32LE(0, 12);
    return [out];
  }
  const count = Math.ceil(innerFrame.length / payload);
  if (count > maxFragments) {
    throw new LevinError('LEVIN_TOO_MANY_FRAGMENTS', `message of ${innerFrame.length} bytes needs ${count} noise slots, more than ${maxFragments}`, {
      length: innerFrame.length,
      fragments: count,
      maxFragments,
    });
  }
  const all = Buffer.alloc(count * size);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * size;
    const flags = i === 0 ? LevinFlags.Begin : i === count - 1 ? LevinFlags.End : 0;
    writeLevinHeader({ command: 0, cb: payload, flags }, all, at);
    innerFrame.copy(all, at + LEVIN_HEADER_SIZE, i * payload, Math.min((i + 1) * payload, innerFrame.length));
    out.push(all.subarray(at, at + size));
  }
  return out;
}
