import type { Clock, TimerHandle } from '@veilnode/plugin-api';
import type { Rng } from '../time/rng';
import { uniformDelay } from '../time/distributions';
import { OutboundSelection, type SelectionConfig } from '../routing/outbound-selection';
import { ALL_ELIGIBLE, type ConnectionEligibility, type ConnectionId, type Direction } from '../routing/types';
import type { CovertSlotBuilder } from './covert-slot-builder';

/** Noise timing of one anonymity zone (docs/anonymity-zones.md). */
export interface NoiseConfig {
  /** Noise channels (each bound to one outbound connection) and their re-pick epoch. */
  readonly selection: SelectionConfig;
  readonly tickMinMs: number;
  readonly tickRangeMs: number;
  /** Per channel, at most this many relayed (not locally originated) messages wait; more are dropped. */
  readonly forwardQueueLimit: number;
}

export const DEFAULT_NOISE: NoiseConfig = Object.freeze({
  selection: Object.freeze({ size: 2, epochMinMs: 5 * 60_000, epochRangeMs: 30_000 }),
  tickMinMs: 10_000,
  tickRangeMs: 5_000,
  forwardQueueLimit: 8,
});

/**
 * A real message waiting for noise slots. `local` messages (our own txs) go before relayed
 * `forward` ones and are never dropped for lack of room.
 */
export interface NoiseMessage {
  readonly key: string;
  readonly slots: readonly Uint8Array[];
  readonly priority: 'local' | 'forward';
}

export interface NoiseEvents {
  /** First time a copy of the message was sent completely (its last slot handed to the port). */
  delivered(key: string, connectionId: ConnectionId): void;
  /** Every copy was abandoned or dropped before any was complete. */
  failed(key: string): void;
}

interface InFlight {
  readonly message: NoiseMessage;
  next: number;
}

interface Channel {
  connection: ConnectionId | null;
  inFlight: InFlight | null;
  queue: NoiseMessage[];
  timer: TimerHandle | undefined;
}

interface Tracking {
  copies: number;
  delivered: boolean;
}

/**
 * White noise on one anonymity zone: each channel sends exactly one fixed-size frame per tick
 * (10 s + U(0, 5 s) after the previous tick was due) — the next fragment of the message in
 * flight, else the first slot of the next queued message, else a dummy. From outside every tick
 * looks the same. When a channel's connection changes its in-flight message is abandoned, never
 * resumed elsewhere: a resumed fragment would betray that a real message was under way.
 */
export class NoiseScheduler {
  private readonly config: NoiseConfig;
  private readonly selection: OutboundSelection;
  private readonly channels: Channel[];
  private readonly tracking = new Map<string, Tracking>();
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly builder: CovertSlotBuilder,
    private readonly send: (connectionId: ConnectionId, frame: Uint8Array) => void,
    private readonly events: NoiseEvents,
    config: Partial<NoiseConfig> = {},
    eligibility: ConnectionEligibility = ALL_ELIGIBLE,
  ) {
    this.config = { ...DEFAULT_NOISE, ...config };
    this.channels = Array.from({ length: this.config.selection.size }, () => ({ connection: null, inFlight: null, queue: [], timer: undefined }));
    this.selection = new OutboundSelection(clock, rng, (slot, _previous, next) => this.rebind(slot, next), this.config.selection, eligibility);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.selection.start();
    for (const channel of this.channels) this.armTick(channel, this.clock.now());
  }

  stop(): void {
    this.running = false;
    this.selection.stop();
    for (const channel of this.channels) {
      channel.timer?.cancel();
      channel.timer = undefined;
    }
  }

  connectionUp(id: ConnectionId, direction: Direction): void {
    this.selection.connectionUp(id, direction);
  }

  connectionDown(id: ConnectionId): void {
    this.selection.connectionDown(id);
  }

  /** Some connection's eligibility may have changed: channels without a connection take one that qualifies. */
  eligibilityChanged(): void {
    this.selection.eligibilityChanged();
  }

  /** Connections currently bound to a channel. */
  channelConnections(): ConnectionId[] {
    return this.selection.connected();
  }

  /** Messages (copies) waiting or in flight on the channels. */
  queuedCopies(): number {
    return this.channels.reduce((n, c) => n + c.queue.length + (c.inFlight === null ? 0 : 1), 0);
  }

  /** Packs txs into slots (stem flag, no padding); throws the builder's typed error if too big. */
  pack(txs: readonly Uint8Array[]): Uint8Array[] {
    return this.builder.packTransactions(txs);
  }

  /**
   * Queues an identical copy of `message` on every channel that has a connection, except those
   * bound to a connection in `exclude` (peers that sent us the txs). Returns the number of
   * copies queued; 0 means nothing will be sent and no event will follow.
   */
  enqueue(message: NoiseMessage, exclude: ReadonlySet<ConnectionId> = new Set()): number {
    let copies = 0;
    for (const channel of this.channels) {
      if (channel.connection === null || exclude.has(channel.connection)) continue;
      if (message.priority === 'local') {
        const firstForward = channel.queue.findIndex((m) => m.priority === 'forward');
        channel.queue.splice(firstForward < 0 ? channel.queue.length : firstForward, 0, message);
      } else {
        if (channel.queue.filter((m) => m.priority === 'forward').length >= this.config.forwardQueueLimit) continue;
        channel.queue.push(message);
      }
      copies++;
    }
    if (copies > 0) this.tracking.set(message.key, { copies: (this.tracking.get(message.key)?.copies ?? 0) + copies, delivered: false });
    return copies;
  }

  private armTick(channel: Channel, previousDue: number): void {
    const due = previousDue + uniformDelay(this.rng, this.config.tickMinMs, this.config.tickRangeMs);
    channel.timer = this.clock.setTimer(due - this.clock.now(), () => this.tick(channel, due));
  }

  private tick(channel: Channel, due: number): void {
    this.armTick(channel, due);
    const connection = channel.connection;
    if (connection === null) return;
    if (channel.inFlight === null) {
      const message = channel.queue.shift();
      if (message !== undefined) channel.inFlight = { message, next: 0 };
    }
    const inFlight = channel.inFlight;
    if (inFlight === null) {
      this.send(connection, this.builder.dummy());
      return;
    }
    this.send(connection, inFlight.message.slots[inFlight.next++]);
    if (inFlight.next === inFlight.message.slots.length) {
      channel.inFlight = null;
      this.copyFinished(inFlight.message.key, connection);
    }
  }

  private rebind(slot: number, next: ConnectionId | null): void {
    const channel = this.channels[slot];
    channel.connection = next;
    if (channel.inFlight !== null) {
      this.copyAbandoned(channel.inFlight.message.key);
      channel.inFlight = null;
    }
    if (next === null) {
      for (const message of channel.queue.splice(0)) this.copyAbandoned(message.key);
    }
  }

  private copyFinished(key: string, connectionId: ConnectionId): void {
    const tracked = this.tracking.get(key);
    if (tracked === undefined) return;
    const first = !tracked.delivered;
    tracked.delivered = true;
    this.release(key, tracked);
    if (first) this.events.delivered(key, connectionId);
  }

  private copyAbandoned(key: string): void {
    const tracked = this.tracking.get(key);
    if (tracked === undefined) return;
    this.release(key, tracked);
    if (tracked.copies === 0 && !tracked.delivered) this.events.failed(key);
  }

  private release(key: string, tracked: Tracking): void {
    tracked.copies--;
    if (tracked.copies === 0) this.tracking.delete(key);
  }
}
