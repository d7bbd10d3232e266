/**
 * Time as the relay engine sees it. Every timer of the engine goes through an injected Clock so
 * that tests (and the privacy simulator, which runs many engines in one process) can drive
 * virtual time deterministically. Clock readings are only ever used for scheduling: nothing
 * derived from them is put on the wire.
 */
export interface TimerHandle {
  /** Stops the timer; harmless if it already fired or was cancelled. */
  cancel(): void;
}

export interface Clock {
  /** Milliseconds on an arbitrary, monotonic time line. */
  now(): number;
  /** Runs `fn` once after `delayMs` (negative delays count as 0). */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

/** Node fires a longer setTimeout after 1 ms; longer timers are chained. */
const MAX_NODE_DELAY = 2 ** 31 - 1;

/** The process clock: monotonic `performance.now()` and Node timers. */
export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    let remaining = Math.max(0, delayMs);
    let timer: NodeJS.Timeout;
    const arm = (): void => {
      const step = Math.min(remaining, MAX_NODE_DELAY);
      remaining -= step;
      timer = setTimeout(() => (remaining > 0 ? arm() : fn()), step);
    };
    arm();
    return { cancel: () => clearTimeout(timer) };
  }
}
