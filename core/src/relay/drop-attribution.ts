import type { Clock } from '../time/clock';
import type { ConnectionClose } from './rejection-tracker';

/**
 * Blames the sources of forwarded txs for a connection an outbound peer closed right after we
 * sent them (monerod closes a connection whose tx fails verification, right after the tx:
 * cryptonote_protocol_handler.inl `handle_notify_new_transactions`). Every source whose tx went
 * on the connection within the verdict window before the close is named. Bounded by the live
 * connections: an entry leaves when its connection closes.
 */
export class DropAttribution {
  /** Per carrier: each source's last forwarded tx on it and when, within one verdict window. */
  private readonly sends = new Map<string, Map<string, number>>();

  constructor(
    private readonly clock: Clock,
    private readonly verdictWindowMs: number,
  ) {}

  /** A tx message with forwarded txs from `sources` went out on `carrier` (a zone+connection key). */
  sent(carrier: string, sources: Iterable<string>): void {
    const now = this.clock.now();
    let sent = this.sends.get(carrier);
    if (sent === undefined) this.sends.set(carrier, (sent = new Map()));
    for (const [source, at] of sent) if (now - at > this.verdictWindowMs) sent.delete(source);
    for (const source of sources) sent.set(source, now);
    if (sent.size === 0) this.sends.delete(carrier);
  }

  /** The connection ended: the sources to blame (none unless an outbound peer closed it in the window). */
  closed(carrier: string, close: ConnectionClose | undefined): string[] {
    const sent = this.sends.get(carrier);
    this.sends.delete(carrier);
    if (sent === undefined || close?.byPeer !== true || close.peer === undefined) return [];
    const now = this.clock.now();
    return [...sent].filter(([, at]) => now - at <= this.verdictWindowMs).map(([source]) => source);
  }
}
