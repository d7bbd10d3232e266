import { BlobCursor } from './blob-cursor';
import { InvalidTransactionError } from './transaction-error';

/** RingCT signature types (monero `rct::RCTType*`). */
export const RctType = {
  Null: 0,
  Full: 1,
  Simple: 2,
  Bulletproof: 3,
  Bulletproof2: 4,
  Clsag: 5,
  BulletproofPlus: 6,
} as const;

/**
 * Where the parts of a serialized transaction end. monerod hashes v2 transactions part by
 * part (prefix, RingCT base, RingCT prunable), so these boundaries are all a tx id needs.
 */
export interface TransactionLayout {
  readonly version: 1 | 2;
  readonly inputs: number;
  readonly outputs: number;
  /** End of the prefix (version … extra). */
  readonly prefixEnd: number;
  /** v2 only: end of the RingCT base (type, fee, ecdh info, output commitments). */
  readonly rctBaseEnd: number;
  /** RingCT type (v2), or undefined for v1. */
  readonly rctType?: number;
}

const KEY = 32;
const TAG_GEN = 0xff;
const TAG_TO_KEY = 0x02;
const TAG_OUT_TO_KEY = 0x02;
const TAG_OUT_TO_TAGGED_KEY = 0x03;
/** Borromean range signature: s0[64], s1[64], ee, Ci[64]. */
const RANGE_SIG_SIZE = (64 + 64 + 1 + 64) * KEY;

/**
 * Parses a transaction blob just far enough to find its part boundaries, validating every
 * length against the bytes present. The whole blob must be consumed. Throws
 * InvalidTransactionError naming the offset and the reason.
 */
export function parseTransactionLayout(blob: Uint8Array): TransactionLayout {
  const c = new BlobCursor(blob);
  const version = c.varint('version');
  if (version !== 1n && version !== 2n) throw new InvalidTransactionError(`unsupported version ${version}`, 0);
  c.varint('unlock_time');

  const inputs = c.count('input count', 2);
  const ringSizes: number[] = [];
  for (let i = 0; i < inputs; i++) ringSizes.push(readInput(c, i));
  const outputs = c.count('output count', 2);
  for (let i = 0; i < outputs; i++) readOutput(c, i);
  c.skipVector(1, 'extra');
  const prefixEnd = c.offset;

  if (version === 1n) {
    // one ring signature (ring size × 64 bytes) per input; coinbase inputs carry none
    for (let i = 0; i < inputs; i++) c.skip(ringSizes[i] * 2 * KEY, `signatures of input ${i}`);
    expectEnd(c);
    return { version: 1, inputs, outputs, prefixEnd, rctBaseEnd: prefixEnd };
  }

  const rctType = readRctBase(c, inputs, outputs);
  const rctBaseEnd = c.offset;
  if (rctType !== RctType.Null) readRctPrunable(c, rctType, inputs, outputs, Math.max(ringSizes[0] ?? 1, 1) - 1);
  expectEnd(c);
  return { version: 2, inputs, outputs, prefixEnd, rctBaseEnd, rctType };
}

/** Returns the ring size of the input (0 for a coinbase input). */
function readInput(c: BlobCursor, index: number): number {
  const at = c.offset;
  const tag = c.byte(`input ${index} type`);
  if (tag === TAG_GEN) {
    c.varint(`input ${index} height`);
    return 0;
  }
  if (tag !== TAG_TO_KEY) throw new InvalidTransactionError(`input ${index} has unsupported type 0x${tag.toString(16)}`, at);
  c.varint(`input ${index} amount`);
  const ring = c.count(`input ${index} ring size`, 1);
  for (let j = 0; j < ring; j++) c.varint(`input ${index} key offset ${j}`);
  c.skip(KEY, `input ${index} key image`);
  return ring;
}

function readOutput(c: BlobCursor, index: number): void {
  c.varint(`output ${index} amount`);
  const at = c.offset;
  const tag = c.byte(`output ${index} type`);
  if (tag === TAG_OUT_TO_KEY) c.skip(KEY, `output ${index} key`);
  else if (tag === TAG_OUT_TO_TAGGED_KEY) c.skip(KEY + 1, `output ${index} key and view tag`);
  else throw new InvalidTransactionError(`output ${index} has unsupported type 0x${tag.toString(16)}`, at);
}

function readRctBase(c: BlobCursor, inputs: number, outputs: number): number {
  const at = c.offset;
  const type = c.byte('rct type');
  if (type === RctType.Null) return type;
  if (type > RctType.BulletproofPlus) throw new InvalidTransactionError(`unknown rct type ${type}`, at);
  c.varint('rct fee');
  if (type === RctType.Simple) c.skip(inputs * KEY, 'rct pseudo outputs');
  // since Bulletproof2 the encrypted amount is 8 bytes and the mask is derived
  const ecdhSize = type >= RctType.Bulletproof2 ? 8 : 2 * KEY;
  c.skip(outputs * ecdhSize, 'rct ecdh info');
  c.skip(outputs * KEY, 'rct output commitments');
  return type;
}

function readRctPrunable(c: BlobCursor, type: number, inputs: number, outputs: number, mixin: number): void {
  if (type === RctType.Full || type === RctType.Simple) {
    c.skip(outputs * RANGE_SIG_SIZE, 'range signatures');
  } else if (type === RctType.BulletproofPlus) {
    const n = c.count('bulletproof+ count', 6 * KEY + 2);
    for (let i = 0; i < n; i++) {
      c.skip(6 * KEY, `bulletproof+ ${i}`); // A, A1, B, r1, s1, d1
      c.skipVector(KEY, `bulletproof+ ${i} L`);
      c.skipVector(KEY, `bulletproof+ ${i} R`);
    }
  } else {
    let n: number;
    if (type === RctType.Bulletproof) {
      const at = c.offset;
      c.skip(4, 'bulletproof count');
      n = new DataView(c.blob.buffer, c.blob.byteOffset + at, 4).getUint32(0, true);
      if (n * (9 * KEY + 2) > c.remaining) throw new InvalidTransactionError(`bulletproof count ${n} does not fit`, at);
    } else {
      n = c.count('bulletproof count', 9 * KEY + 2);
    }
    for (let i = 0; i < n; i++) {
      c.skip(6 * KEY, `bulletproof ${i}`); // A, S, T1, T2, taux, mu
      c.skipVector(KEY, `bulletproof ${i} L`);
      c.skipVector(KEY, `bulletproof ${i} R`);
      c.skip(3 * KEY, `bulletproof ${i} a b t`);
    }
  }

  const ring = mixin + 1;
  if (type === RctType.Clsag || type === RctType.BulletproofPlus) {
    c.skip(inputs * (ring * KEY + 2 * KEY), 'clsag signatures'); // s[ring], c1, D
  } else if (type === RctType.Full) {
    c.skip(ring * (inputs + 1) * KEY + KEY, 'mlsag signature');
  } else {
    c.skip(inputs * (ring * 2 * KEY + KEY), 'mlsag signatures');
  }
  if (type >= RctType.Bulletproof) c.skip(inputs * KEY, 'rct pseudo outputs');
}

function expectEnd(c: BlobCursor): void {
  if (c.remaining !== 0) throw new InvalidTransactionError(`${c.remaining} trailing bytes after the transaction`, c.offset);
}
