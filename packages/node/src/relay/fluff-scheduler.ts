import type { Clock, TimerHandle } from '@veilnode/plugin-api';
import type { Rng } from '../time/rng';
import { poissonDelay } from '../time/distributions';
import type { ConnectionId, Direction, RelayTx } from '../routing/types';

/** Fluff flush delays (docs/dandelion.md). */
export interface FluffConfig {
  /** Poisson mean of the flush delay on inbound connections. */
  readonly inboundMeanMs: number;
  /** Poisson mean on outbound connections (monerod: half the inbound mean). */
  readonly outboundMeanMs: number;
  readonly granularityMs: number;
}

export const DEFAULT_FLUFF: FluffConfig = Object.freeze({ inboundMeanMs: 5_000, outboundMeanMs: 2_500, granularityMs: 250 });

interface ConnectionQueue {
  readonly direction: Direction;
  readonly txs: Map<string, Uint8Array>;
  timer: TimerHandle | undefined;
}

/**
 * Per-connection fluff queues of one zone. The first tx queued for a connection arms a
 * Poisson-distributed flush timer; at flush the connection gets one batch, de-duplicated and
 * sorted by tx id (a hash: the order says nothing about arrival order, size or content).
 */
export class FluffScheduler {
  private readonly config: FluffConfig;
  private readonly queues = new Map<ConnectionId, ConnectionQueue>();

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly flush: (connectionId: ConnectionId, txs: RelayTx[]) => void,
    config: Partial<FluffConfig> = {},
  ) {
    this.config = { ...DEFAULT_FLUFF, ...config };
  }

  connectionUp(id: ConnectionId, direction: Direction): void {
    if (!this.queues.has(id)) this.queues.set(id, { direction, txs: new Map(), timer: undefined });
  }

  /** Drops the connection's pending batch: it is never re-targeted to another connection. */
  connectionDown(id: ConnectionId): void {
    this.queues.get(id)?.timer?.cancel();
    this.queues.delete(id);
  }

  /** Connections known to this scheduler, optionally of one direction. */
  connections(direction?: Direction): ConnectionId[] {
    return [...this.queues].filter(([, q]) => direction === undefined || q.direction === direction).map(([id]) => id);
  }

  /** Queues `tx` for fluffing on each of `targets` (unknown connections are ignored). */
  enqueue(targets: Iterable<ConnectionId>, tx: RelayTx): void {
    for (const id of targets) {
      const queue = this.queues.get(id);
      if (queue === undefined) continue;
      queue.txs.set(tx.id, tx.blob);
      if (queue.timer === undefined) {
        const mean = queue.direction === 'inbound' ? this.config.inboundMeanMs : this.config.outboundMeanMs;
        queue.timer = this.clock.setTimer(poissonDelay(this.rng, mean, this.config.granularityMs), () => this.flushQueue(id));
      }
    }
  }

  /** The peer sent us this tx itself: it no longer needs it from us. */
  withdraw(id: ConnectionId, txId: string): void {
    this.queues.get(id)?.txs.delete(txId);
  }

  /** Number of txs waiting for a flush on `id`. */
  pending(id: ConnectionId): number {
    return this.queues.get(id)?.txs.size ?? 0;
  }

  stop(): void {
    for (const queue of this.queues.values()) queue.timer?.cancel();
    this.queues.clear();
  }

  private flushQueue(id: ConnectionId): void {
    const queue = this.queues.get(id);
    if (queue === undefined) return;
    queue.timer = undefined;
    const batch = [...queue.txs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, blob]) => ({ id, blob }));
    queue.txs.clear();
    if (batch.length > 0) this.flush(id, batch);
  }
}
