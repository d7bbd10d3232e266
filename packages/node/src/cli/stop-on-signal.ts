import type { Logger } from '@veilnode/plugin-api';

/** Graceful stop deadline: past it the process exits anyway (exit code 1). */
export const STOP_DEADLINE_MS = 5000;

/** The part of `process` this needs (tests pass an EventEmitter). */
export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface StopOnSignalOptions {
  readonly signals: SignalSource;
  readonly stop: () => Promise<void>;
  readonly logger: Pick<Logger, 'info' | 'error'>;
  /** Called on the second signal: exit immediately. */
  readonly forceExit: (signal: NodeJS.Signals) => void;
  readonly deadlineMs?: number;
}

/**
 * Resolves with the exit code once the node has stopped: the first SIGINT/SIGTERM starts a
 * graceful stop (0 when it finishes within the deadline, 1 when it fails or overruns); a second
 * signal forces an immediate exit.
 */
export function stopOnSignal(options: StopOnSignalOptions): Promise<number> {
  const { signals, stop, logger, forceExit, deadlineMs = STOP_DEADLINE_MS } = options;
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) {
        forceExit(signal);
        return;
      }
      signalled = true;
      logger.info({ signal }, 'stopping');
      // Not unref'd: it must keep the process alive to enforce the deadline.
      const deadline = setTimeout(() => {
        logger.error({ deadlineMs }, 'graceful stop did not finish in time; exiting');
        resolve(1);
      }, deadlineMs);
      stop().then(
        () => {
          clearTimeout(deadline);
          resolve(0);
        },
        (error: Error) => {
          clearTimeout(deadline);
          logger.error({ err: error.message }, 'stop failed');
          resolve(1);
        },
      );
    };
    signals.on('SIGINT', onSignal);
    signals.on('SIGTERM', onSignal);
  });
}
