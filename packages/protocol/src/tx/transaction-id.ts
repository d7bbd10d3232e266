import { keccak_256 } from '@noble/hashes/sha3';
import { parseTransactionLayout, RctType } from './transaction-layout';

const NULL_HASH = new Uint8Array(32);

/**
 * The Monero transaction id, as monerod computes it: v1 = keccak-256 of the whole blob;
 * v2 = keccak-256 of (prefix hash ‖ RingCT base hash ‖ RingCT prunable hash), where the
 * prunable hash is all zeros for RingCT type 0 (coinbase). Throws InvalidTransactionError for
 * a malformed blob.
 */
export function transactionId(blob: Uint8Array): Uint8Array {
  const layout = parseTransactionLayout(blob);
  if (layout.version === 1) return keccak_256(blob);
  const hashes = new Uint8Array(96);
  hashes.set(keccak_256(blob.subarray(0, layout.prefixEnd)), 0);
  hashes.set(keccak_256(blob.subarray(layout.prefixEnd, layout.rctBaseEnd)), 32);
  hashes.set(layout.rctType === RctType.Null ? NULL_HASH : keccak_256(blob.subarray(layout.rctBaseEnd)), 64);
  return keccak_256(hashes);
}

/** transactionId as the lower-case hex string monerod's RPC shows. */
export function transactionIdHex(blob: Uint8Array): string {
  return Buffer.from(transactionId(blob)).toString('hex');
}
