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
  /** Per input, in order: what relay rules check without a chain. */
  readonly inputDetails: readonly InputDetail[];
  /** Per output, in order. */
  readonly outputDetails: readonly OutputDetail[];
  /** Bytes of the extra field. */
  readonly extraSize: number;
  /** RingCT fee in atomic units (v2 with a non-null RingCT type), else undefined. */
  readonly fee?: bigint;
  /** Per Bulletproof(+) proof, the length of its L vector (R is checked equal). */
  readonly proofLengths: readonly number[];
}

/** One input: coinbase (`gen`) or a ring spend (`to_key`). */
export type InputDetail =
  | { readonly type: 'gen' }
  | {
      readonly type: 'to_key';
      readonly amount: bigint;
      readonly ringSize: number;
      /** A relative key offset after the first is 0: the ring names one output twice. */
      readonly repeatsMember: boolean;
      /** The 32-byte key image (a view into the blob). */
      readonly keyImage: Uint8Array;
    };

export interface OutputDetail {
  readonly amount: bigint;
  /** true: txout_to_tagged_key (with view tag), false: txout_to_key. */
  readonly viewTag: boolean;
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
  const inputDetails: InputDetail[] = [];
  for (let i = 0; i < inputs; i++) inputDetails.push(readInput(c, i));
  const outputs = c.count('output count', 2);
  const outputDetails: OutputDetail[] = [];
  for (let i = 0; i < outputs; i++) outputDetails.push(readOutput(c, i));
  const extraSize = c.skipVector(1, 'extra');
  const prefixEnd = c.offset;
  const ringSizes = inputDetails.map((input) => (input.type === 'gen' ? 0 : input.ringSize));
  const parts = { inputs, outputs, prefixEnd, inputDetails, outputDetails, extraSize };

  if (version === 1n) {
    // one ring signature (ring size × 64 bytes) per input; coinbase inputs carry none
    for (let i = 0; i < inputs; i++) c.skip(ringSizes[i] * 2 * KEY, `signatures of input ${i}`);
    expectEnd(c);
    return { version: 1, ...parts, rctBaseEnd: prefixEnd, proofLengths: [] };
  }

  const base = readRctBase(c, inputs, outputs);
  const rctBaseEnd = c.offset;
  const proofLengths = base.type === RctType.Null ? [] : readRctPrunable(c, base.type, inputs, outputs, Math.max(ringSizes[0] ?? 1, 1) - 1);
  expectEnd(c);
  return { version: 2, ...parts, rctBaseEnd, rctType: base.type, fee: base.fee, proofLengths };
}

function readInput(c: BlobCursor, index: number): InputDetail {
  const at = c.offset;
  const tag = c.byte(`input ${index} type`);
  if (tag === TAG_GEN) {
    c.varint(`input ${index} height`);
    return { type: 'gen' };
  }
  if (tag !== TAG_TO_KEY) throw new InvalidTransactionError(`input ${index} has unsupported type 0x${tag.toString(16)}`, at);
  const amount = c.varint(`input ${index} amount`);
  const ringSize = c.count(`input ${index} ring size`, 1);
  let repeatsMember = false;
  for (let j = 0; j < ringSize; j++) if (c.varint(`input ${index} key offset ${j}`) === 0n && j > 0) repeatsMember = true;
  const imageAt = c.offset;
  c.skip(KEY, `input ${index} key image`);
  return { type: 'to_key', amount, ringSize, repeatsMember, keyImage: c.blob.subarray(imageAt, imageAt + KEY) };
}

function readOutput(c: BlobCursor, index: number): OutputDetail {
  const amount = c.varint(`output ${index} amount`);
  const at = c.offset;
  const tag = c.byte(`output ${index} type`);
  if (tag === TAG_OUT_TO_KEY) c.skip(KEY, `output ${index} key`);
  else if (tag === TAG_OUT_TO_TAGGED_KEY) c.skip(KEY + 1, `output ${index} key and view tag`);
  else throw new InvalidTransactionError(`output ${index} has unsupported type 0x${tag.toString(16)}`, at);
  return { amount, viewTag: tag === TAG_OUT_TO_TAGGED_KEY };
}

function readRctBase(c: BlobCursor, inputs: number, outputs: number): { type: number; fee?: bigint } {
  const at = c.offset;
  const type = c.byte('rct type');
  if (type === RctType.Null) return { type };
  if (type > RctType.BulletproofPlus) throw new InvalidTransactionError(`unknown rct type ${type}`, at);
  const fee = c.varint('rct fee');
  if (type === RctType.Simple) c.skip(inputs * KEY, 'rct pseudo outputs');
  // since Bulletproof2 the encrypted amount is 8 bytes and the mask is derived
  const ecdhSize = type >= RctType.Bulletproof2 ? 8 : 2 * KEY;
  c.skip(outputs * ecdhSize, 'rct ecdh info');
  c.skip(outputs * KEY, 'rct output commitments');
  return { type, fee };
}

/** Skips the prunable part; returns the L length of each range proof (none for Borromean). */
function readRctPrunable(c: BlobCursor, type: number, inputs: number, outputs: number, mixin: number): number[] {
  const proofLengths: number[] = [];
  if (type === RctType.Full || type === RctType.Simple) {
    c.skip(outputs * RANGE_SIG_SIZE, 'range signatures');
  } else if (type === RctType.BulletproofPlus) {
    const n = c.count('bulletproof+ count', 6 * KEY + 2);
    for (let i = 0; i < n; i++) {
      c.skip(6 * KEY, `bulletproof+ ${i}`); // A, A1, B, r1, s1, d1
      proofLengths.push(readLR(c, `bulletproof+ ${i}`));
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
      proofLengths.push(readLR(c, `bulletproof ${i}`));
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
  return proofLengths;
}

/** A proof's L and R vectors: returns L's length, throws when R's differs (monerod rejects it). */
function readLR(c: BlobCursor, what: string): number {
  const at = c.offset;
  const l = c.skipVector(KEY, `${what} L`);
  const r = c.skipVector(KEY, `${what} R`);
  if (l !== r) throw new InvalidTransactionError(`${what} has ${l} L and ${r} R elements`, at);
  return l;
}

function expectEnd(c: BlobCursor): void {
  if (c.remaining !== 0) throw new InvalidTransactionError(`${c.remaining} trailing bytes after the transaction`, c.offset);
}
