import { RpcMethodError } from '@veilnode/plugin-api';
import { JsonRpcErrorCode } from '../json-rpc';
import type { HeldTxPool } from './held-tx-pool';
import { responseBase } from './monerod-response';
import type { TxSubmitter } from './sources';
import { TX_ID, txidsParam } from './txids-param';

/**
 * JSON-RPC `flush_txpool` (`{txids?: [...]}`), unrestricted only as in monerod: drops the given
 * local txs, or all of them, from the send journal (durably, so a restart does not send them)
 * and from the `do_not_relay` holding pool. Ids we do not hold are skipped, as monerod skips ids
 * not in its pool; a malformed id fails the call before anything is dropped.
 */
export class FlushTxpool {
  constructor(
    private readonly txs: TxSubmitter,
    private readonly held: HeldTxPool,
  ) {}

  async flush(params: unknown): Promise<object> {
    const ids = txidsParam(params)?.map((t) => t.toLowerCase());
    if (ids?.some((id) => !TX_ID.test(id))) throw new RpcMethodError(JsonRpcErrorCode.InvalidParams, 'Failed to parse some of the txids');
    // monerod flushes everything for an absent or empty list
    const targets = ids === undefined || ids.length === 0 ? undefined : ids;
    for (const entry of this.held.entries()) if (targets === undefined || targets.includes(entry.id)) this.held.release(entry.id);
    await this.txs.flush(targets);
    return responseBase();
  }
}
