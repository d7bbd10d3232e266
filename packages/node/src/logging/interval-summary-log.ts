import type { Logger, Clock, TimerHandle } from '@veilnode/plugin-api';

/** Most distinct reasons counted in one interval; more are counted under `other`. */
const MAX_REASONS = 16;

export interface IntervalSummaryLogOptions {
  readonly logger: Logger;
  /** The summary line's message, e.g. 'inbound connections refused'. */
  readonly message: string;
  readonly intervalMs: number;
  readonly clock: Clock;
  /** Fixed fields of every summary line. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/**
 * Counts events an outsider can cause as often as they like (refused connections, ...) and logs
 * one info line per interval with the counts by reason, instead of one line per event: a flood
 * then costs the log one line per interval. The interval starts with its first event, so a quiet
 * node logs nothing and the first event is reported at most `intervalMs` later.
 */
export class IntervalSummaryLog {
  private counts = new Map<string, number>();
  private timer: TimerHandle | undefined;

  constructor(private readonly options: IntervalSummaryLogOptions) {}

  /** Counts one event of `reason` (a fixed word chosen by the caller, never peer data). */
  count(reason: string): void {
    const key = this.counts.has(reason) || this.counts.size < MAX_REASONS ? reason : 'other';
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.timer ??= this.options.clock.setTimer(this.options.intervalMs, () => {
      this.timer = undefined;
      this.flush();
    });
  }

  /** Logs what was counted so far (nothing when nothing was) and starts a new interval. */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.counts.size === 0) return;
    const byReason = Object.fromEntries(this.counts);
    let total = 0;
    for (const n of this.counts.values()) total += n;
    this.counts = new Map();
    this.options.logger.info({ ...this.options.fields, total, byReason, intervalMs: this.options.intervalMs }, this.options.message);
  }
}
