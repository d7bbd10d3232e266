import type { Clock, TimerHandle } from '@veilnode/plugin-api';
import type { Rng } from '../time/rng';
import { pickDistinct, uniformDelay } from '../time/distributions';
import { ALL_ELIGIBLE, type ConnectionEligibility, type ConnectionId, type Direction } from '../routing/types';

/** Dandelion++ parameters (docs/dandelion.md, monerod ≥ 0.17.1.5). */
export interface DandelionConfig {
  /** Outbound stem connections per epoch. */
  readonly stems: number;
  /** Chance in [0, 1] that an epoch is a fluff epoch. */
  readonly fluffProbability: number;
  readonly epochMinMs: number;
  /** Uniform extra length added to each epoch. */
  readonly epochRangeMs: number;
}

export const DEFAULT_DANDELION: DandelionConfig = Object.freeze({
  stems: 2,
  fluffProbability: 0.2,
  epochMinMs: 10 * 60_000,
  epochRangeMs: 30_000,
});

/** Where one stem tx goes: to a stem connection, or fluffed (broadcast) by us. */
export type StemRoute = { readonly kind: 'stem'; readonly connectionId: ConnectionId } | { readonly kind: 'fluff' };

/** The epoch's draw, for logs and tests. */
export interface DandelionEpoch {
  readonly number: number;
  readonly fluff: boolean;
  readonly stems: readonly (ConnectionId | null)[];
}

/**
 * The Dandelion++ routing state machine of one public zone. Pure: it never sends, it answers
 * `route()` from its epoch state. Each epoch draws fluff-vs-stem and picks `stems` random
 * outbound connections; each source connection ("local" = null) is mapped for the whole epoch
 * to the least-used stem, which gives Dandelion++'s pseudo-random forwarding graph. A stem
 * that disconnects is replaced by another outbound connection in the same slot, so sources
 * mapped to that slot keep a single successor. Stems are picked only among connections
 * `eligibility` accepts (the chain-height rule); a stem that stops qualifying stays until the
 * next epoch, and an empty stem slot is filled once a connection qualifies (`eligibilityChanged`).
 */
export class DandelionRouter {
  private readonly config: DandelionConfig;
  private readonly outbound = new Set<ConnectionId>();
  private stems: (ConnectionId | null)[] = [];
  private usage: number[] = [];
  private sourceToSlot = new Map<ConnectionId | null, number>();
  private fluffEpoch = false;
  private epochNumber = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    config: Partial<DandelionConfig> = {},
    private readonly onEpoch: (epoch: DandelionEpoch) => void = () => undefined,
    private readonly eligibility: ConnectionEligibility = ALL_ELIGIBLE,
  ) {
    this.config = { ...DEFAULT_DANDELION, ...config };
  }

  start(): void {
    if (this.timer === undefined) this.newEpoch();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  get epoch(): DandelionEpoch {
    return { number: this.epochNumber, fluff: this.fluffEpoch, stems: [...this.stems] };
  }

  /** A handshaked connection; only outbound ones can become stems (inbound can be a spy's many). */
  connectionUp(id: ConnectionId, direction: Direction): void {
    if (direction !== 'outbound') return;
    this.outbound.add(id);
    this.fillEmptySlots();
  }

  connectionDown(id: ConnectionId): void {
    this.outbound.delete(id);
    this.sourceToSlot.delete(id);
    const slot = this.stems.indexOf(id);
    if (slot >= 0) {
      this.stems[slot] = null;
      this.fillEmptySlots();
    }
  }

  /** Some connection's eligibility may have changed: empty stem slots take one that qualifies now. */
  eligibilityChanged(): void {
    this.fillEmptySlots();
  }

  /**
   * Routing decision for a stem tx from `source` (null = originated here). Local txs are always
   * stemmed (monerod fix #8627); a stem never goes back to its source; with no usable stem the
   * tx is fluffed.
   */
  route(source: ConnectionId | null): StemRoute {
    if (this.fluffEpoch && source !== null) return { kind: 'fluff' };
    const mapped = this.sourceToSlot.get(source);
    if (mapped !== undefined) {
      const id = this.stems[mapped];
      if (id !== null && id !== source) return { kind: 'stem', connectionId: id };
    }
    let best = -1;
    for (let slot = 0; slot < this.stems.length; slot++) {
      const id = this.stems[slot];
      if (id === null || id === source) continue;
      if (best < 0 || this.usage[slot] < this.usage[best]) best = slot;
    }
    if (best < 0) return { kind: 'fluff' };
    if (mapped === undefined) {
      this.sourceToSlot.set(source, best);
      this.usage[best]++;
    }
    return { kind: 'stem', connectionId: this.stems[best] as ConnectionId };
  }

  private newEpoch(): void {
    this.epochNumber++;
    this.fluffEpoch = this.rng.float() < this.config.fluffProbability;
    const picked = pickDistinct(this.rng, this.candidates(), this.config.stems);
    this.stems = Array.from({ length: this.config.stems }, (_, i) => picked[i] ?? null);
    this.usage = this.stems.map(() => 0);
    this.sourceToSlot = new Map();
    this.timer = this.clock.setTimer(uniformDelay(this.rng, this.config.epochMinMs, this.config.epochRangeMs), () => this.newEpoch());
    this.onEpoch(this.epoch);
  }

  private fillEmptySlots(): void {
    if (this.timer === undefined) return;
    for (let slot = 0; slot < this.stems.length; slot++) {
      if (this.stems[slot] !== null) continue;
      const free = this.candidates().filter((id) => !this.stems.includes(id));
      if (free.length === 0) return;
      this.stems[slot] = free[this.rng.int(free.length)];
    }
  }

  private candidates(): ConnectionId[] {
    return [...this.outbound].filter((id) => this.eligibility.eligible(id));
  }
}
