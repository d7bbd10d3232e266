import type { Clock, TimerHandle } from '@veilnode/plugin-api';
import type { Rng } from '../time/rng';
import { pickDistinct, uniformDelay } from '../time/distributions';
import { ALL_ELIGIBLE, type ConnectionEligibility, type ConnectionId, type Direction } from './types';

/** How an anonymity zone picks the outbound connections it sends on (docs/anonymity-zones.md). */
export interface SelectionConfig {
  readonly size: number;
  readonly epochMinMs: number;
  readonly epochRangeMs: number;
}

export const DEFAULT_SELECTION: SelectionConfig = Object.freeze({ size: 2, epochMinMs: 5 * 60_000, epochRangeMs: 30_000 });

/** Slot `slot` now points at `next` (null: no connection available). */
export type SelectionChange = (slot: number, previous: ConnectionId | null, next: ConnectionId | null) => void;

/**
 * A fixed number of slots, each bound to a random *outbound* connection, re-drawn every epoch
 * (5 min + U(0, 30 s)). Inbound connections are never chosen: a spy can open many of them. A
 * slot whose connection closes is refilled at once from the unused outbound connections. Only
 * connections `eligibility` accepts are picked (the chain-height rule); one that stops qualifying
 * keeps its slot until the next re-draw, so a message under way is not cut off, and an empty slot
 * is filled as soon as a connection qualifies (`eligibilityChanged`). Used for stem sends of local
 * txs on anonymity zones and as the noise channels of a zone.
 */
export class OutboundSelection {
  private readonly config: SelectionConfig;
  private readonly outbound = new Set<ConnectionId>();
  private slots: (ConnectionId | null)[];
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly onChange: SelectionChange,
    config: Partial<SelectionConfig> = {},
    private readonly eligibility: ConnectionEligibility = ALL_ELIGIBLE,
  ) {
    this.config = { ...DEFAULT_SELECTION, ...config };
    this.slots = Array.from({ length: this.config.size }, () => null);
  }

  start(): void {
    if (this.timer === undefined) this.redraw();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  get members(): readonly (ConnectionId | null)[] {
    return [...this.slots];
  }

  /** The bound connections, without empty slots. */
  connected(): ConnectionId[] {
    return this.slots.filter((s): s is ConnectionId => s !== null);
  }

  connectionUp(id: ConnectionId, direction: Direction): void {
    if (direction !== 'outbound') return;
    this.outbound.add(id);
    this.fillEmptySlots();
  }

  connectionDown(id: ConnectionId): void {
    if (!this.outbound.delete(id)) return;
    const slot = this.slots.indexOf(id);
    if (slot < 0) return;
    // Straight to the replacement: a channel that passed through "no connection" would drop its queue.
    this.assign(slot, this.timer === undefined ? null : this.randomFree());
  }

  /** Some connection's eligibility may have changed: empty slots take one that qualifies now. */
  eligibilityChanged(): void {
    this.fillEmptySlots();
  }

  private redraw(): void {
    const picked = pickDistinct(this.rng, this.candidates(), this.config.size);
    // A re-picked connection keeps its slot (its channel keeps its queue and in-flight message);
    // the others take the slots that changed.
    const newcomers = picked.filter((id) => !this.slots.includes(id));
    for (let slot = 0; slot < this.slots.length; slot++) {
      const current = this.slots[slot];
      if (current !== null && picked.includes(current)) continue;
      this.assign(slot, newcomers.shift() ?? null);
    }
    this.timer = this.clock.setTimer(uniformDelay(this.rng, this.config.epochMinMs, this.config.epochRangeMs), () => this.redraw());
  }

  private fillEmptySlots(): void {
    if (this.timer === undefined) return;
    for (let slot = 0; slot < this.slots.length; slot++) {
      if (this.slots[slot] !== null) continue;
      const free = this.randomFree();
      if (free === null) return;
      this.assign(slot, free);
    }
  }

  private candidates(): ConnectionId[] {
    return [...this.outbound].filter((id) => this.eligibility.eligible(id));
  }

  private randomFree(): ConnectionId | null {
    const free = this.candidates().filter((id) => !this.slots.includes(id));
    return free.length === 0 ? null : free[this.rng.int(free.length)];
  }

  private assign(slot: number, next: ConnectionId | null): void {
    const previous = this.slots[slot];
    if (previous === next) return;
    this.slots[slot] = next;
    this.onChange(slot, previous, next);
  }
}
