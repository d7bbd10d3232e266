import { ConfigError, type Clock } from '@veilnode/plugin-api';

export interface SourcePenaltyConfig {
  /**
   * Strikes within `strikeMemoryMs` that penalise a source. 2: one close by a peer right after
   * our message can be chance (the peer restarting, or another source's tx in the same
   * message); the same source behind two such closes within an hour is not, and an attacker
   * then gets at most one of our connections dropped per group and hour before it is cut off.
   */
  readonly strikes: number;
  /** How long a strike counts (strikes decay: older ones are forgotten). */
  readonly strikeMemoryMs: number;
  /** How long a penalised source's txs are dropped. */
  readonly penaltyMs: number;
  /** Sources tracked at most; the least recently struck is forgotten first. */
  readonly maxSources: number;
}

export const DEFAULT_SOURCE_PENALTY: SourcePenaltyConfig = Object.freeze({ strikes: 2, strikeMemoryMs: 3600_000, penaltyMs: 3600_000, maxSources: 4096 });

interface Record {
  /** Times of the strikes still remembered, oldest first. */
  readonly strikes: number[];
  penalisedUntil: number;
}

/**
 * Strikes against tx sources (address groups) whose txs got us dropped, and the penalties they
 * earn. Bounded: at most `maxSources` sources, LRU by last strike,
 * each with at most `strikes` remembered strike times.
 */
export class SourcePenalties {
  readonly config: SourcePenaltyConfig;
  private readonly records = new Map<string, Record>();

  constructor(
    private readonly clock: Clock,
    config: Partial<SourcePenaltyConfig> = {},
  ) {
    this.config = { ...DEFAULT_SOURCE_PENALTY, ...config };
    for (const [key, value] of Object.entries(this.config)) {
      if (!(Number.isInteger(value) && value > 0)) throw new ConfigError(`relay source penalty ${key} must be a positive integer, got ${value}`, { path: `relay.sourcePenalty.${key}` });
    }
  }

  /** One strike against `source`; true when it makes the source penalised (it was not before). */
  strike(source: string): boolean {
    const now = this.clock.now();
    const record = this.records.get(source) ?? { strikes: [], penalisedUntil: 0 };
    this.records.delete(source); // re-inserted last: LRU order
    this.records.set(source, record);
    if (this.records.size > this.config.maxSources) this.records.delete(this.records.keys().next().value as string);
    const wasPenalised = record.penalisedUntil > now;
    record.strikes.push(now);
    while (record.strikes.length > 0 && (record.strikes[0] <= now - this.config.strikeMemoryMs || record.strikes.length > this.config.strikes)) record.strikes.shift();
    if (record.strikes.length < this.config.strikes) return false;
    record.penalisedUntil = now + this.config.penaltyMs;
    return !wasPenalised;
  }

  penalised(source: string): boolean {
    return (this.records.get(source)?.penalisedUntil ?? 0) > this.clock.now();
  }
}
