import type { Logger, Clock, TimerHandle } from '@veilnode/plugin-api';
import type { PeerEvents } from '../peer/peer-events';
import type { RelayStatus } from '../relay/relay-engine';
import type { NodeService } from './node';
import type { ZoneStatus } from '../rpc/zone-status';

/** How often the one-line summary is logged. */
export const ACTIVITY_SUMMARY_INTERVAL_MS = 5 * 60_000;

export interface ZoneActivitySources {
  zoneStatuses(): ZoneStatus[];
  relayStatus(): RelayStatus;
}

/**
 * What an operator reads at info level about the node's peers: a line when a zone gains its
 * first peer or loses its last (zone name and counts only, never an address), and a periodic
 * one-line summary of every running zone and the local txs.
 */
export class ZoneActivityLog implements PeerEvents, NodeService {
  readonly name = 'activity-log';
  private readonly counts = new Map<string, number>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly sources: ZoneActivitySources,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly intervalMs = ACTIVITY_SUMMARY_INTERVAL_MS,
  ) {}

  connectionUp(zone: string): void {
    const count = (this.counts.get(zone) ?? 0) + 1;
    this.counts.set(zone, count);
    if (count === 1) this.logger.info({ zone }, `zone ${zone} has its first peer`);
  }

  connectionDown(zone: string): void {
    const count = Math.max(0, (this.counts.get(zone) ?? 0) - 1);
    this.counts.set(zone, count);
    if (count === 0) this.logger.info({ zone }, `zone ${zone} lost its last peer; it keeps dialling`);
  }

  start(): Promise<void> {
    const tick = (): void => {
      this.logger.info({}, this.summary());
      this.timer = this.clock.setTimer(this.intervalMs, tick);
    };
    this.timer = this.clock.setTimer(this.intervalMs, tick);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    return Promise.resolve();
  }

  /** `peers clearnet 0 in/8 out, tor 0 in/2 out (DOWN); local txs 1 queued, 0 in flight` */
  summary(): string {
    const zones = this.sources
      .zoneStatuses()
      .filter((z) => z.enabled)
      .map((z) => `${z.name} ${z.connections.in} in/${z.connections.out} out${z.healthy ? '' : ' (DOWN)'}`);
    const relay = this.sources.relayStatus();
    return `peers ${zones.join(', ') || 'none'}; local txs ${relay.localWaiting} queued, ${relay.localInFlight} in flight`;
  }
}
