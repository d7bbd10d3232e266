import { ed25519 } from '@noble/curves/ed25519';
import { InvalidTransactionError } from './transaction-error';
import { parseTransactionLayout, RctType, type TransactionLayout } from './transaction-layout';

/**
 * The limits monerod enforces on a relayed tx at the current hard fork (v16), all checkable
 * without a chain. Sources in monerod: cryptonote_config.h (ring size since HF_VERSION_MIN_MIXIN_15,
 * HF_VERSION_MIN_2_OUTPUTS = 12, BULLETPROOF_PLUS_MAX_OUTPUTS = 16, MAX_TX_EXTRA_SIZE),
 * tx_pool.cpp (the weight limit: half the minimum block weight less the coinbase reserve) and
 * blockchain.cpp check_tx_inputs/check_tx_outputs (sorted unique key images, Bulletproof+ only
 * since v16, view tags since v15).
 */
export const RELAY_RULES = Object.freeze({
  ringSize: 16,
  minOutputs: 2,
  maxOutputs: 16,
  /** Largest relayable blob: a BP+ tx's weight is at least its size, and the pool takes <= 149 400. */
  maxBlobBytes: 300_000 / 2 - 600,
  maxExtraBytes: 1060,
});

/** What a relayable tx is, once checked: its key images (hex) for double-spend tracking. */
export interface RelayableTx {
  readonly keyImages: readonly string[];
}

/** A tx that parses but that monerod would reject on relay (and drop whoever sent it). */
export class NonRelayableTxError extends InvalidTransactionError {}

const fail = (reason: string): never => {
  throw new NonRelayableTxError(reason, 0, { rule: reason });
};

/**
 * Checks a tx blob against every rule monerod applies to a relayed tx that needs no chain
 * state: v2 RingCT Bulletproof+ spend, 1+ ring inputs of exactly 16 members with no repeated
 * member, amounts hidden (0), 2..16 outputs with view tags, extra and size in range, a fee,
 * one range proof sized for the outputs, and key images that are canonical curve points not of
 * small order, unique and sorted as monerod requires. Throws InvalidTransactionError
 * (NonRelayableTxError for a rule) naming the reason.
 *
 * Not checked (needs the chain, or costs too much per byte a peer can send): signatures,
 * range proofs, ring members' existence, spent key images, the fee's minimum, and the full
 * prime-order test of a key image (one scalar multiplication, ~2 ms, per input: a 149 kB tx has
 * ~240 inputs). A peer can still send a tx that passes here and fails in monerod; the relay
 * engine's per-peer quota bounds how much of that one peer gets through.
 */
export function checkRelayable(blob: Uint8Array, layout: TransactionLayout = parseTransactionLayout(blob)): RelayableTx {
  if (blob.length > RELAY_RULES.maxBlobBytes) fail(`${blob.length} bytes exceeds the ${RELAY_RULES.maxBlobBytes}-byte relay limit`);
  if (layout.version !== 2) fail(`version ${layout.version} is not relayed any more (RingCT v2 only)`);
  if (layout.rctType !== RctType.BulletproofPlus) fail(`RingCT type ${layout.rctType} is not allowed (Bulletproof+ only)`);
  if (layout.inputs < 1) fail('no inputs');
  if (layout.outputs < RELAY_RULES.minOutputs || layout.outputs > RELAY_RULES.maxOutputs) {
    fail(`${layout.outputs} outputs (must be ${RELAY_RULES.minOutputs}..${RELAY_RULES.maxOutputs})`);
  }
  if (layout.extraSize > RELAY_RULES.maxExtraBytes) fail(`extra of ${layout.extraSize} bytes exceeds ${RELAY_RULES.maxExtraBytes}`);
  if (layout.fee === undefined || layout.fee === 0n) fail('no fee');
  for (const [i, output] of layout.outputDetails.entries()) {
    if (output.amount !== 0n) fail(`output ${i} shows an amount`);
    if (!output.viewTag) fail(`output ${i} has no view tag`);
  }
  if (layout.proofLengths.length !== 1) fail(`${layout.proofLengths.length} range proofs (must be 1)`);
  if (layout.proofLengths[0] !== proofLength(layout.outputs)) fail(`range proof of ${layout.proofLengths[0]} rounds for ${layout.outputs} outputs`);

  const keyImages: string[] = [];
  let previous: Uint8Array | undefined;
  for (const [i, input] of layout.inputDetails.entries()) {
    if (input.type !== 'to_key') return fail(`input ${i} is a coinbase input`);
    if (input.amount !== 0n) fail(`input ${i} shows an amount`);
    if (input.ringSize !== RELAY_RULES.ringSize) fail(`input ${i} has ring size ${input.ringSize} (must be ${RELAY_RULES.ringSize})`);
    if (input.repeatsMember) fail(`input ${i} names a ring member twice`);
    // strictly descending: sorted, and no key image spent twice within the tx
    if (previous !== undefined && Buffer.compare(input.keyImage, previous) >= 0) fail(`input ${i}'s key image is out of order or repeated`);
    previous = input.keyImage;
    keyImages.push(Buffer.from(input.keyImage).toString('hex'));
  }
  // last: the curve checks are the costliest
  for (const [i, image] of keyImages.entries()) if (!isKeyImagePoint(image)) fail(`input ${i}'s key image is not a valid curve point`);
  return { keyImages };
}

/** BP+ L/R length: log2 of the outputs padded to a power of 2, plus 6 (64-bit amounts). */
function proofLength(outputs: number): number {
  let rounds = 6;
  while (1 << (rounds - 6) < outputs) rounds++;
  return rounds;
}

/** A canonical point encoding whose point is not of small order (identity included). */
function isKeyImagePoint(hex: string): boolean {
  try {
    return !ed25519.ExtendedPoint.fromHex(hex).isSmallOrder();
  } catch {
    return false;
  }
}
