import type { Clock, TimerHandle } from '../time/clock';

interface ScheduledTimer {
  readonly at: number;
  /** Insertion order: timers due at the same instant fire in the order they were set. */
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A deterministic clock for tests and simulations: time moves only when `advance`/`runUntil`
 * is called, and timers fire in (due time, creation order). One VirtualClock can drive any
 * number of engines at once.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly heap: ScheduledTimer[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: ScheduledTimer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of live (not cancelled, not fired) timers. */
  pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /** Due time of the next live timer, or undefined when none is set. */
  nextDue(): number | undefined {
    this.dropCancelledHead();
    return this.heap[0]?.at;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.runUntil(this.current + ms);
  }

  /** Fires timers due at or before `target` (including ones they set), then sets now = target. */
  runUntil(target: number): void {
    for (;;) {
      this.dropCancelledHead();
      const next = this.heap[0];
      if (next === undefined || next.at > target) break;
      this.pop();
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = Math.max(this.current, target);
  }

  private dropCancelledHead(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
  }

  private before(a: ScheduledTimer, b: ScheduledTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: ScheduledTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.before(heap[left], heap[smallest])) smallest = left;
      if (right < heap.length && this.before(heap[right], heap[smallest])) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
      i = smallest;
    }
  }
}
