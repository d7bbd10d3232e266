/** How many `do_not_relay` txs are kept before the oldest is dropped (memory bound for a public RPC). */
export const HELD_TX_LIMIT = 128;

/**
 * Transactions a wallet sent with `do_not_relay`: kept here, in memory only, and never given to
 * the relay engine. They are not written to the durable send queue on purpose: that journal
 * means "deliver this", and a restart would send what the wallet asked us not to. They show in
 * the operator's private pool view (`get_relay_pool`), never in the public pool listings; `relay_tx`
 * (or sending it again without the flag) relays them after all.
 */
export class HeldTxPool {
  private readonly txs = new Map<string, Uint8Array>();

  constructor(private readonly limit = HELD_TX_LIMIT) {}

  /** Keeps the tx (a repeat refreshes its age); drops the oldest beyond the limit. */
  hold(id: string, blob: Uint8Array): void {
    this.txs.delete(id);
    this.txs.set(id, blob);
    while (this.txs.size > this.limit) this.txs.delete(this.txs.keys().next().value as string);
  }

  get(id: string): Uint8Array | undefined {
    return this.txs.get(id);
  }

  /** Forgets a held tx (it is being relayed after all). */
  release(id: string): void {
    this.txs.delete(id);
  }

  entries(): { id: string; blob: Uint8Array }[] {
    return [...this.txs].map(([id, blob]) => ({ id, blob }));
  }
}
