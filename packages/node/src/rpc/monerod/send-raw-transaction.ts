import { type Logger, SystemClock, type Clock, type RpcRequestInfo } from '@veilnode/plugin-api';
import { IntervalSummaryLog } from '../../logging/interval-summary-log';
import { JournalError, RelayError } from '../../relay/relay-errors';
import { checkRelayable, parseTransactionLayout, RctType, type TransactionLayout, transactionIdHex } from '@veilnode/protocol';
import type { HeldTxPool } from './held-tx-pool';
import { accessResponseBase, STATUS_FAILED, STATUS_OK } from './monerod-response';
import { booleanParam } from './plain-endpoint';
import type { TxSubmitter } from './sources';

/**
 * Largest tx blob monerod's pool takes since v8: half the minimum block weight zone (300 000)
 * minus the coinbase reservation (600). A tx's weight is never below its size, so any larger
 * blob is rejected as too big without decoding its hex.
 */
export const MAX_TX_BLOB_BYTES = 149_400;

/** monerod's send_raw_transaction failure flags, all false unless set. */
const FLAGS = [
  'not_relayed',
  'low_mixin',
  'double_spend',
  'invalid_input',
  'invalid_output',
  'too_big',
  'overspend',
  'fee_too_low',
  'too_few_outputs',
  'sanity_check_failed',
  'tx_extra_too_big',
  'nonzero_unlock_time',
] as const;
type Flag = (typeof FLAGS)[number];

/** The reason text monerod gives for each verification flag. */
const FLAG_REASONS: Partial<Record<Flag, string>> = {
  invalid_input: 'invalid input',
  invalid_output: 'invalid output',
  too_big: 'too big',
  too_few_outputs: 'too few outputs',
};

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * `POST /send_raw_transaction` (also `/sendrawtransaction`): monerod's request and answer.
 * The tx is checked as far as veilnode can without a chain (hex, structure, input/output
 * counts, size), then handed to the relay engine; the answer comes only after the engine's
 * durable write. `do_not_relay` txs are held in memory and never relayed (see HeldTxPool).
 * Unrestricted clients also get `veilnode: {tx_hash, relay}`; restricted ones get exactly
 * monerod's fields, the same for a new tx and for one we already had, so a stranger cannot
 * probe which txs we hold privately.
 */
export class SendRawTransaction {
  private readonly queueFull: IntervalSummaryLog;

  constructor(
    private readonly txs: TxSubmitter,
    private readonly held: HeldTxPool,
    private readonly logger: Logger,
    clock: Clock = new SystemClock(),
  ) {
    this.queueFull = new IntervalSummaryLog({ clock, logger, intervalMs: 60_000, message: 'local transactions refused: the queue is full' });
  }

  async handle(params: Record<string, unknown>, info: RpcRequestInfo): Promise<object> {
    const hex = params.tx_as_hex;
    const doNotRelay = booleanParam(params, 'do_not_relay', false);
    const sanityChecks = booleanParam(params, 'do_sanity_checks', true);
    if (typeof doNotRelay === 'string') return answer(STATUS_FAILED, doNotRelay);
    if (typeof sanityChecks === 'string') return answer(STATUS_FAILED, sanityChecks);
    if (typeof hex !== 'string' || hex.length === 0) return answer(STATUS_FAILED, 'tx_as_hex must be a non-empty hex string');
    if (hex.length > 2 * MAX_TX_BLOB_BYTES) return answer(STATUS_FAILED, `too big: ${hex.length / 2} bytes, the limit is ${MAX_TX_BLOB_BYTES}`, ['too_big']);
    if (!HEX.test(hex)) return answer(STATUS_FAILED, 'tx_as_hex is not valid hex (an even number of 0-9, a-f)');
    const blob = Buffer.from(hex, 'hex');

    let layout: TransactionLayout;
    try {
      layout = parseTransactionLayout(blob);
    } catch (error) {
      const detail = (error as Error).message;
      return sanityChecks ? answer(STATUS_FAILED, `Sanity check failed: ${detail}`, ['sanity_check_failed']) : answer(STATUS_FAILED, detail);
    }
    const flags = structuralFlags(layout);
    if (flags.length > 0) return answer(STATUS_FAILED, flags.map((f) => FLAG_REASONS[f]).join(', '), flags);
    // The rules every monerod peer applies on relay: a tx that breaks one would only get our
    // carriers dropped, so the wallet hears it now rather than through a rejection later.
    try {
      checkRelayable(blob, layout);
    } catch (error) {
      return answer(STATUS_FAILED, `Sanity check failed: ${(error as Error).message}`, ['sanity_check_failed']);
    }

    const id = transactionIdHex(blob);
    if (doNotRelay) {
      this.held.hold(id, blob);
      return answer(STATUS_OK, 'Not relayed', ['not_relayed'], info.restricted ? undefined : { tx_hash: id, relay: 'held' });
    }
    this.held.release(id);
    try {
      const { status } = await this.txs.submitLocal(blob);
      return answer(STATUS_OK, '', [], info.restricted ? undefined : { tx_hash: id, relay: status });
    } catch (error) {
      if (error instanceof RelayError && error.code === 'TX_TOO_LARGE_FOR_NOISE') return answer(STATUS_FAILED, `too big: ${error.message}`, ['too_big']);
      // A full queue is the client's load, not a fault of ours: counted, never one line per request.
      if (error instanceof JournalError && error.code === 'JOURNAL_FULL') {
        this.queueFull.count('JOURNAL_FULL');
        return answer(STATUS_FAILED, 'the local transaction queue is full; it was not relayed, try again later');
      }
      // Never answer OK for a tx that is not durable: the wallet must be able to retry.
      const code = error instanceof JournalError || error instanceof RelayError ? error.code : 'UNEXPECTED';
      this.logger.error({ txId: id, code, err: (error as Error).message }, 'local transaction could not be queued');
      return answer(STATUS_FAILED, 'the transaction could not be stored for relay; it was not relayed, try again');
    }
  }
}

/** What monerod rejects from the structure alone (its other checks need the chain). */
function structuralFlags(layout: TransactionLayout): Flag[] {
  const flags: Flag[] = [];
  // A v2 tx with RingCT type 0 is a coinbase: it has a generation input, which cannot be relayed.
  if (layout.inputs === 0 || (layout.version === 2 && layout.rctType === RctType.Null)) flags.push('invalid_input');
  if (layout.outputs === 0) flags.push('invalid_output');
  else if (layout.version === 2 && layout.outputs < 2) flags.push('too_few_outputs');
  return flags;
}

function answer(status: string, reason: string, set: readonly Flag[] = [], veilnode?: { tx_hash: string; relay: string }): object {
  const flags = Object.fromEntries(FLAGS.map((f) => [f, set.includes(f)]));
  return { ...accessResponseBase(), status, reason, ...flags, ...(veilnode === undefined ? {} : { veilnode }) };
}
