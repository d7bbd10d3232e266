import { RpcMethodError } from '@veilnode/plugin-api';
import type { HeldTxPool } from './held-tx-pool';
import { accessResponseBase } from './monerod-response';
import type { TxSubmitter } from './sources';
import { TX_ID, txidsParam } from './txids-param';

/** monerod's CORE_RPC_ERROR_CODE_INTERNAL_ERROR, what its relay_tx fails with. */
const CORE_RPC_ERROR_INTERNAL = -5;

/**
 * JSON-RPC `relay_tx` (`{txids: [...]}`), unrestricted only as in monerod: relays txs held with
 * `do_not_relay`, through the relay engine like any local tx (durable first). A tx the engine
 * already has is left to it. Unknown or malformed ids fail the call, listed in its message.
 */
export class RelayTx {
  constructor(
    private readonly txs: TxSubmitter,
    private readonly held: HeldTxPool,
  ) {}

  async relay(params: unknown): Promise<object> {
    const problems: string[] = [];
    for (const text of txidsParam(params, true)) {
      const id = text.toLowerCase();
      if (!TX_ID.test(id)) {
        problems.push(`invalid transaction id: ${text}`);
        continue;
      }
      const blob = this.held.get(id);
      if (blob !== undefined) {
        await this.txs.submitLocal(blob);
        this.held.release(id);
      } else if (!this.txs.transactions().some((tx) => tx.id === id)) {
        problems.push(`transaction not found in pool: ${text}`);
      }
    }
    if (problems.length > 0) throw new RpcMethodError(CORE_RPC_ERROR_INTERNAL, problems.join(', '));
    return accessResponseBase();
  }
}
