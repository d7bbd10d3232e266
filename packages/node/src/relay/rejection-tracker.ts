import type { Logger, Clock, TimerHandle } from '@veilnode/plugin-api';
import type { CarrierClose } from './carrier-port';

/** When a local tx counts as refused by the network. */
export interface RejectionRules {
  /**
   * A peer that closes the connection this soon after the tx message reached it rejected the tx
   * (monerod drops a connection whose tx fails verification, cryptonote_protocol_handler.inl
   * `handle_notify_new_transactions`). Local txs are paced to one per connection per window,
   * so a verdict names one tx.
   */
  readonly verdictWindowMs: number;
  /**
   * Rejections by this many distinct outbound peers move the tx to the rejected list. On
   * carriers, whose zone may know fewer peers, by every peer it knows and this many carriers.
   */
  readonly rejectingPeers: number;
  /** A local tx still undelivered this long after it was first queued is given up. */
  readonly maxAgeMs: number;
}

/** monerod forgets an unmined tx after 3 days (MEMPOOL_TX_LIVETIME): the network would by then too. */
export const DEFAULT_LOCAL_TX_MAX_AGE_MS = 72 * 3600_000;

export const DEFAULT_REJECTION_RULES: RejectionRules = Object.freeze({
  verdictWindowMs: 5000,
  rejectingPeers: 3,
  maxAgeMs: DEFAULT_LOCAL_TX_MAX_AGE_MS,
});

/** How a connection ended, as the peer layer saw it. */
export interface ConnectionClose {
  /** The peer closed or reset it (not our timeout, rotation, protocol error or shutdown). */
  readonly byPeer: boolean;
  /** Opaque, stable key of the outbound peer (never an address); absent for inbound connections. */
  readonly peer?: string;
}

interface LastSend {
  readonly at: number;
  /** The local tx this message carried; undefined for relayed txs. */
  readonly localTxId: string | undefined;
  /** When the message before it was sent on the same connection. */
  readonly previousAt: number;
}

/** Per tracked local tx: who rejected it, and its max-age timer. */
interface Tracked {
  readonly peers: Set<string>;
  /** Rejections counted (one per connection or carrier; a peer may give several). */
  rejections: number;
  /** The most peers any of its rejecting connections was drawn among (Infinity for an ordinary connection). */
  knownPeers: number;
  readonly expiry: TimerHandle;
}

/**
 * Decides when a local tx has been refused: it watches which tx message went last on each
 * connection and how the connection ended, counts a close by an outbound peer within the verdict
 * window after an unambiguous local tx as that peer's rejection, and gives a tx up after
 * `rejectingPeers` distinct peers or `maxAgeMs`. Only outbound peers count: an inbound peer (on
 * anonymity zones anyone) could otherwise close three connections to censor our tx.
 *
 * Private-broadcast carriers carry one tx each, so their close alone is the verdict
 * (`carrierClosed`). A peer drawn as carrier again and again still counts once; but a zone that
 * knows fewer than `rejectingPeers` peers (one exclusive onion) could never show that many, and
 * its bad tx would travel until `maxAgeMs`: there the tx is given up once every peer the zone
 * knows rejected it and `rejectingPeers` carriers did in all (each on a circuit of its own, so
 * not one unlucky close). A zone that knows only hostile peers could as well never relay the tx.
 */
export class RejectionTracker {
  private readonly rules: RejectionRules;
  private readonly lastSends = new Map<string, LastSend>();
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly clock: Clock,
    rules: Partial<RejectionRules> | undefined,
    private readonly rejected: (txId: string, reason: string) => void,
    private readonly logger?: Logger,
  ) {
    this.rules = { ...DEFAULT_REJECTION_RULES, ...rules };
  }

  /** Starts watching a local tx first queued at `queuedAt` (wall ms) as of wall time `wallNow`. */
  track(txId: string, queuedAt: number, wallNow: number): void {
    if (this.tracked.has(txId)) return;
    const ms = this.rules.maxAgeMs;
    const age = ms >= 3600_000 ? `${Math.round((ms / 3600_000) * 100) / 100} h` : `${Math.round(ms / 1000)} s`;
    const expiry = this.clock.setTimer(queuedAt + ms - wallNow, () => this.rejected(txId, `not delivered within ${age}`));
    this.tracked.set(txId, { peers: new Set(), rejections: 0, knownPeers: 0, expiry });
  }

  /** The tx left the queue (delivered, rejected, flushed, mined). */
  untrack(txId: string): void {
    this.tracked.get(txId)?.expiry.cancel();
    this.tracked.delete(txId);
  }

  /** A tx message went out on `carrier` (a zone+connection key); `localTxId` when it was ours. */
  sent(carrier: string, localTxId?: string): void {
    const now = this.clock.now();
    this.lastSends.set(carrier, { at: now, localTxId, previousAt: this.lastSends.get(carrier)?.at ?? -Infinity });
  }

  /** Until when a local tx must not go on `carrier`: a verdict on the last one is still due. */
  busyUntil(carrier: string): number {
    const last = this.lastSends.get(carrier);
    return last?.localTxId === undefined ? 0 : last.at + this.rules.verdictWindowMs;
  }

  get verdictWindowMs(): number {
    return this.rules.verdictWindowMs;
  }

  /** A connection ended; counts a rejection when the close names one local tx. */
  closed(carrier: string, close: ConnectionClose | undefined): void {
    const last = this.lastSends.get(carrier);
    this.lastSends.delete(carrier);
    if (last?.localTxId === undefined || close?.byPeer !== true || close.peer === undefined) return;
    const now = this.clock.now();
    const window = this.rules.verdictWindowMs;
    // another message shortly before ours could be what the peer refused
    if (now - last.at > window || last.at - last.previousAt < window) return;
    // an ordinary connection's peer was not drawn from a known set: distinct peers always needed
    this.count(last.localTxId, close.peer, Infinity);
  }

  /**
   * A private-broadcast carrier that carried `txId` closed: a close by its peer within the verdict
   * window after the tx went out counts as that peer's rejection. True when it counted and the
   * tx is still tracked (not given up by it).
   */
  carrierClosed(txId: string, close: CarrierClose): boolean {
    if (!close.byPeer || close.peer === undefined || close.txSentAt === undefined) return false;
    if (this.clock.now() - close.txSentAt > this.rules.verdictWindowMs) return false;
    this.count(txId, close.peer, close.knownPeers);
    return this.tracked.has(txId);
  }

  private count(txId: string, peer: string, knownPeers: number): void {
    const entry = this.tracked.get(txId);
    if (entry === undefined) return;
    entry.peers.add(peer);
    entry.rejections++;
    entry.knownPeers = Math.max(entry.knownPeers, knownPeers);
    const needed = this.rules.rejectingPeers;
    const distinctNeeded = Math.min(needed, Math.max(1, entry.knownPeers));
    this.logger?.info({ txId, rejections: entry.rejections, peers: entry.peers.size, of: needed }, 'a peer closed the connection right after receiving a local tx: counted as its rejection');
    if (entry.rejections < needed || entry.peers.size < distinctNeeded) return;
    const reason =
      entry.peers.size >= needed
        ? `connection closed right after receiving it by ${entry.peers.size} distinct peers`
        : `connection closed right after receiving it ${entry.rejections} times by all ${entry.peers.size} peer(s) its zone knows`;
    this.rejected(txId, reason);
  }

  stop(): void {
    for (const entry of this.tracked.values()) entry.expiry.cancel();
    this.tracked.clear();
    this.lastSends.clear();
  }
}
