import type { Clock, TimerHandle } from '@veilnode/plugin-api';
import type { Rng } from '../time/rng';
import { uniformDelay } from '../time/distributions';
import type { ConnectionId, Direction } from '../routing/types';

/** When outbound anonymity connections are replaced (issue rule 8). */
export interface RotationConfig {
  /** Lifetime of an outbound connection: U(meanMs − jitterMs, meanMs + jitterMs). */
  readonly meanMs: number;
  readonly jitterMs: number;
  /** A rotation whose replacement has not come up is re-requested after this long. */
  readonly redialMs: number;
}

export const DEFAULT_ROTATION: RotationConfig = Object.freeze({ meanMs: 10 * 60_000, jitterMs: 2 * 60_000, redialMs: 60_000 });

/** Decisions the zone runtime executes. */
export interface RotationPort {
  /** Open one more outbound connection on the zone (fresh isolation credentials). */
  dial(reason: 'rotation'): void;
  /** Close this outbound connection: its replacement is up. */
  close(connectionId: ConnectionId, reason: 'rotation'): void;
}

/**
 * Rotates the outbound connections of one anonymity zone so that no circuit/tunnel lives long
 * enough to profile us. Each outbound connection gets a randomised lifetime; when it ends the
 * connection is marked retiring and a replacement is requested. A retiring connection is closed
 * only while the zone has more outbound connections than its target, so rotation never drops
 * the zone below its configured count.
 */
export class ConnectionRotator {
  private readonly config: RotationConfig;
  private readonly outbound = new Map<ConnectionId, TimerHandle>();
  /** Retiring connections, oldest first. */
  private readonly retiring: ConnectionId[] = [];
  private redialTimer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly targetOutbound: number,
    private readonly port: RotationPort,
    config: Partial<RotationConfig> = {},
  ) {
    this.config = { ...DEFAULT_ROTATION, ...config };
  }

  connectionUp(id: ConnectionId, direction: Direction): void {
    if (direction !== 'outbound' || this.outbound.has(id)) return;
    const lifetime = uniformDelay(this.rng, this.config.meanMs - this.config.jitterMs, 2 * this.config.jitterMs);
    this.outbound.set(id, this.clock.setTimer(lifetime, () => this.retire(id)));
    this.closeSurplus();
  }

  connectionDown(id: ConnectionId): void {
    this.outbound.get(id)?.cancel();
    this.outbound.delete(id);
    const index = this.retiring.indexOf(id);
    if (index >= 0) this.retiring.splice(index, 1);
    if (this.retiring.length === 0) this.cancelRedial();
  }

  /** Connections waiting for their replacement. */
  retiringConnections(): readonly ConnectionId[] {
    return [...this.retiring];
  }

  stop(): void {
    for (const timer of this.outbound.values()) timer.cancel();
    this.outbound.clear();
    this.retiring.length = 0;
    this.cancelRedial();
  }

  private retire(id: ConnectionId): void {
    this.retiring.push(id);
    this.closeSurplus();
    if (this.retiring.includes(id)) this.requestReplacement();
  }

  private requestReplacement(): void {
    this.port.dial('rotation');
    this.cancelRedial();
    this.redialTimer = this.clock.setTimer(this.config.redialMs, () => {
      this.redialTimer = undefined;
      if (this.retiring.length > 0) this.requestReplacement();
    });
  }

  private closeSurplus(): void {
    while (this.retiring.length > 0 && this.outbound.size > this.targetOutbound) {
      const id = this.retiring.shift() as ConnectionId;
      this.outbound.get(id)?.cancel();
      this.outbound.delete(id);
      this.port.close(id, 'rotation');
    }
    if (this.retiring.length === 0) this.cancelRedial();
  }

  private cancelRedial(): void {
    this.redialTimer?.cancel();
    this.redialTimer = undefined;
  }
}
