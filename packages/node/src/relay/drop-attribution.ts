import type { Clock } from '@veilnode/plugin-api';
import type { ConnectionClose } from './rejection-tracker';

/**
 * Names the forwarded txs that may have got a connection dropped: those sent on it within the
 * verdict window before an outbound peer closed it (monerod closes a connection whose tx fails
 * verification, right after the tx: cryptonote_protocol_handler.inl
 * `handle_notify_new_transactions`). Bounded by the live connections and the txs of one window:
 * an entry leaves when its connection closes, a tx when the window has passed.
 */
export class DropAttribution {
  /** Per carrier: the forwarded txs sent on it within one verdict window, and when. */
  private readonly sends = new Map<string, Map<string, number>>();

  constructor(
    private readonly clock: Clock,
    private readonly verdictWindowMs: number,
  ) {}

  /** A tx message with the forwarded txs `txIds` went out on `carrier` (a zone+connection key). */
  sent(carrier: string, txIds: Iterable<string>): void {
    const now = this.clock.now();
    let sent = this.sends.get(carrier);
    if (sent === undefined) this.sends.set(carrier, (sent = new Map()));
    for (const [id, at] of sent) if (now - at > this.verdictWindowMs) sent.delete(id);
    for (const id of txIds) sent.set(id, now);
    if (sent.size === 0) this.sends.delete(carrier);
  }

  /** The connection ended: the txs to suspect (none unless an outbound peer closed it in the window). */
  closed(carrier: string, close: ConnectionClose | undefined): string[] {
    const sent = this.sends.get(carrier);
    this.sends.delete(carrier);
    if (sent === undefined || close?.byPeer !== true || close.peer === undefined) return [];
    const now = this.clock.now();
    return [...sent].filter(([, at]) => now - at <= this.verdictWindowMs).map(([id]) => id);
  }
}
