import type { Duplex } from 'node:stream';

/**
 * Catches 'error' events that nobody handles on the streams a compliance test holds. Unhandled,
 * such an event (a transport's stream calling a write or final callback twice:
 * ERR_MULTIPLE_CALLBACK) is an uncaught exception that mocha pins on whatever runs at that
 * moment — a later test, a hook, or a test that already passed (ERR_MOCHA_MULTIPLE_DONE) — or
 * that stops the run. Recorded here, it fails the test that was running, with its cause.
 */
export class StreamFaults {
  private readonly faults: Error[] = [];
  private notify?: (fault: Error) => void;

  /** Rejects with the first fault; never resolves. */
  readonly first: Promise<never> = new Promise<never>((_, reject) => {
    this.notify = reject;
  });

  constructor() {
    this.first.catch(() => undefined);
  }

  /** Watches `stream` (`label`: which one, for the message) from now until it is gone. */
  watch(stream: Duplex, label: string): void {
    stream.on('error', (error: Error) => {
      // another listener (a helper reading the stream, a test expecting the error) handles it
      if (stream.listenerCount('error') > 1) return;
      const code = (error as NodeJS.ErrnoException).code;
      const fault = new Error(`the ${label} stream emitted an 'error' nobody handles: ${error.message}${code ? ` (${code})` : ''}`, { cause: error });
      this.faults.push(fault);
      this.notify?.(fault);
    });
  }

  /** Throws the first fault recorded so far. */
  check(): void {
    if (this.faults.length > 0) throw this.faults[0];
  }

  /**
   * Runs a test body: it fails at the first fault (a body still waiting for the broken stream
   * stops waiting), or once it is done if a fault came with its last step.
   */
  async guard(body: () => Promise<void>): Promise<void> {
    const running = body();
    running.catch(() => undefined);
    await Promise.race([running, this.first]);
    // an error from the body's last write or end() is emitted on a later tick
    await new Promise((resolve) => setImmediate(resolve));
    this.check();
  }
}
