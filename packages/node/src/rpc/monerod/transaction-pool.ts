import type { PoolEntry } from '../../relay/relay-pool';
import { jsonObjectWithArray } from '../streamed-reply';
import type { HeldTxPool } from './held-tx-pool';
import { accessResponseBase, responseBase } from './monerod-response';
import type { TxSubmitter } from './sources';

/**
 * Most JSON text one `get_transaction_pool` answer carries (txs beyond are left out): each tx is
 * its blob in hex, so a full pool would otherwise be an answer of ~100 MB.
 */
export const MAX_POOL_LISTING_BYTES = 16 * 1024 * 1024;

/**
 * The pool listings. Public ones (`/get_transaction_pool`, `/get_transaction_pool_hashes`) show
 * only broadcast txs on every listener, restricted or not (mempool hiding: a tx we originated or
 * hold in a stem appears only once it was seen coming back over clearnet or fluffed, so asking
 * the node never reveals it). `get_relay_pool` is the operator's private view. The public
 * listings are JSON text chunks, one per tx, written as the client reads them.
 */
export class TransactionPoolViews {
  constructor(
    private readonly txs: TxSubmitter,
    private readonly held: HeldTxPool,
  ) {}

  /** monerod's get_transaction_pool answer. veilnode computes no fee and no key images: those stay 0/empty. */
  transactionPool(): Iterable<string> {
    const txs = this.txs.publicTransactions();
    return jsonObjectWithArray({ ...accessResponseBase(), spent_key_images: [] }, 'transactions', lazyMap(txs, txInfo), MAX_POOL_LISTING_BYTES);
  }

  transactionPoolHashes(): Iterable<string> {
    return jsonObjectWithArray(accessResponseBase(), 'tx_hashes', lazyMap(this.txs.publicTransactions(), (tx) => tx.id));
  }

  /**
   * Every tx the node knows with its relay state, plus the `do_not_relay` ones (state `held`),
   * and the local txs given up (`rejected`: id, reason, when in seconds since the epoch). A local
   * tx in private broadcast has `private_broadcast`: carriers used (a count: carriers are never
   * named), copies sent, echoes seen, delivered, and why it waits.
   */
  relayPool(): object {
    const broadcast = new Map((this.txs.privateBroadcastStatus?.() ?? []).map((s) => [s.txId, s]));
    const known = this.txs.transactions().map((tx) => {
      const s = broadcast.get(tx.id);
      const entry = { id_hash: tx.id, state: tx.state, blob_size: tx.blob.length };
      return s === undefined ? entry : { ...entry, private_broadcast: { carriers_used: s.carriersUsed, sent: s.sent, echoed: s.echoed, delivered: s.delivered, waiting: s.waiting } };
    });
    const held = this.held.entries().map((tx) => ({ id_hash: tx.id, state: 'held', blob_size: tx.blob.length }));
    const rejected = this.txs.rejected().map((tx) => ({ id_hash: tx.id, reason: tx.reason, rejected_time: Math.floor(tx.at / 1000) }));
    return { ...responseBase(), transactions: [...known, ...held], rejected };
  }
}

function* lazyMap<T, U>(items: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}

/** monerod's tx_info for a broadcast tx; fields veilnode cannot know (no chain) keep monerod's zero values. */
function txInfo(tx: PoolEntry): object {
  return {
    id_hash: tx.id,
    tx_json: '',
    blob_size: tx.blob.length,
    weight: tx.blob.length,
    fee: 0,
    max_used_block_id_hash: '',
    max_used_block_height: 0,
    kept_by_block: false,
    last_failed_height: 0,
    last_failed_id_hash: '',
    // No receive or relay times: a timestamp would tell a stranger when the tx reached us.
    receive_time: 0,
    relayed: true,
    last_relayed_time: 0,
    do_not_relay: false,
    double_spend_seen: false,
    tx_blob: Buffer.from(tx.blob).toString('hex'),
  };
}
