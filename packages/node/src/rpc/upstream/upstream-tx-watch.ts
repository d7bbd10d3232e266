import type { Logger, Clock, TimerHandle } from '@veilnode/plugin-api';
import type { Upstream } from './upstream';
import type { HiddenTxFilter } from './upstream-forwarder';

/** The relay side the watch reports to (RelayService implements it). */
export interface LocalTxLedger {
  /** Ids of the local txs in the send journal. */
  localTxIds(): readonly string[];
  /** The upstream has the tx in its pool: it is public, delivery is done. */
  seenByNetwork(txId: string): void;
  /** The tx (any, ours or not) is in a block of the upstream's chain: nothing is left to relay. */
  mined(txId: string): void;
}

export interface UpstreamTxWatchOptions {
  /** Between polls while the upstream answers. */
  readonly intervalMs?: number;
  /** Longest wait after repeated failures (the wait doubles from intervalMs). */
  readonly maxBackoffMs?: number;
}

const DEFAULT_INTERVAL_MS = 20_000;
const DEFAULT_MAX_BACKOFF_MS = 5 * 60_000;
/** Blocks read back at start (a tx mined while the node was down leaves the journal): one hour. */
const BLOCKS_AT_START = 30;
/** At most this many new blocks read per poll; older ones are skipped (a long outage). */
const MAX_BLOCKS_PER_POLL = 30;
/** A get_transactions naming a local tx refreshes the pool view at most this often. */
const MIN_REFRESH_MS = 2_000;

/**
 * Learns from the upstream daemon when our local txs became public (in its pool) and when they
 * were mined (in a block), without ever naming one of them to it: it reads the whole pool's
 * hash list and each new block's tx list, at a fixed rate whether or not we have local txs (a
 * poll that started with our submissions, or asked for our txids, would tell the upstream which
 * txs started here — it never received them by RPC, so it knows only what the network knows).
 * A tx in the pool is delivered (it leaves the journal); a mined one is forgotten.
 */
export class UpstreamTxWatch implements HiddenTxFilter {
  private readonly seen = new Set<string>();
  private nextHeight: number | undefined;
  private timer: TimerHandle | undefined;
  private failures = 0;
  private refreshing: Promise<void> | undefined;
  private lastRefresh = Number.NEGATIVE_INFINITY;
  private running = false;
  private readonly intervalMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly upstream: Upstream,
    private readonly ledger: LocalTxLedger,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: UpstreamTxWatchOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  }

  start(): void {
    this.running = true;
    // The first poll waits one interval too: an onion upstream's zone is not up at node start.
    this.schedule(this.intervalMs);
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** True when `txids` names a local tx the upstream has not shown yet (after a fresh look at its pool). */
  async namesHiddenTx(txids: readonly string[]): Promise<boolean> {
    if (!this.hasHidden(txids)) return false;
    if (this.clock.now() - this.lastRefresh >= MIN_REFRESH_MS) await this.refreshPool().catch(() => undefined);
    return this.hasHidden(txids);
  }

  /** One poll: the pool, then the blocks since the last poll. */
  async poll(): Promise<void> {
    await this.refreshPool();
    const count = Number((await this.upstream.jsonRpc('get_block_count')).count);
    if (!Number.isSafeInteger(count) || count < 1) return;
    const top = count - 1;
    const from = Math.max(this.nextHeight ?? top - BLOCKS_AT_START + 1, top - MAX_BLOCKS_PER_POLL + 1, 0);
    for (let height = from; height <= top; height++) {
      const block = await this.upstream.jsonRpc('get_block', { height });
      this.reportMined(Array.isArray(block.tx_hashes) ? (block.tx_hashes as unknown[]) : []);
      this.nextHeight = height + 1;
    }
  }

  private hasHidden(txids: readonly string[]): boolean {
    const local = new Set(this.ledger.localTxIds());
    return txids.some((id) => local.has(id) && !this.seen.has(id));
  }

  /** Reads the upstream's pool hashes (one request at a time; callers share it). */
  private refreshPool(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const answer = (await this.upstream.json('/get_transaction_pool_hashes', {})) as { tx_hashes?: unknown };
        this.lastRefresh = this.clock.now();
        const pool = new Set(Array.isArray(answer.tx_hashes) ? answer.tx_hashes.filter((id): id is string => typeof id === 'string') : []);
        const local = this.ledger.localTxIds();
        // Only our own local txs are remembered: the set stays as small as the journal.
        for (const id of [...this.seen]) if (!local.includes(id)) this.seen.delete(id);
        for (const id of local) {
          if (!pool.has(id) || this.seen.has(id)) continue;
          this.seen.add(id);
          this.ledger.seenByNetwork(id);
          this.logger.info({ txId: id, event: 'local_tx_public' }, 'a local transaction is in the upstream daemon’s pool: delivered');
        }
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private reportMined(hashes: readonly unknown[]): void {
    const local = new Set(this.ledger.localTxIds());
    for (const id of hashes) {
      if (typeof id !== 'string') continue;
      this.ledger.mined(id);
      if (!local.has(id)) continue;
      this.seen.delete(id);
      this.logger.info({ txId: id, event: 'local_tx_mined' }, 'a local transaction was mined: it leaves the send journal');
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimer(delayMs, () => {
      this.poll().then(
        () => {
          this.failures = 0;
          this.schedule(this.intervalMs);
        },
        (error: Error) => {
          this.failures++;
          const wait = Math.min(this.maxBackoffMs, this.intervalMs * 2 ** Math.min(this.failures, 16));
          if (this.failures === 1) this.logger.warn({ err: error.message, retryMs: wait, event: 'upstream_watch_failed' }, 'cannot read the upstream daemon’s pool and blocks; retrying with back-off');
          this.schedule(wait);
        },
      );
    });
  }
}
