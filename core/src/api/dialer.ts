import type { Duplex } from 'node:stream';
import { AbortedError, TimeoutError } from './errors';
import type { DialOptions } from './transport';

/** Where a Dialer connects: an IP literal or a zone host name (onion, b32) the proxy resolves. */
export interface DialTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * The strategy a transport uses to open one byte stream: direct TCP, or a SOCKS proxy in
 * all-traffic `--proxy` mode. Transports keep the zone rules, deadline and bookkeeping and
 * delegate only this step, so swapping direct TCP for a proxy touches nothing else.
 */
export interface Dialer {
  /**
   * Resolve with a connected stream, or reject with a TransportError (DialError with a
   * DialErrorCode, ...). When `signal` aborts: destroy everything opened so far and reject with
   * `signal.reason`.
   */
  connect(target: DialTarget, signal: AbortSignal): Promise<Duplex>;
}

/**
 * Runs one dial attempt under the caller's AbortSignal and a deadline, the same way for every
 * transport: caller abort → AbortedError, deadline → TimeoutError. `attempt` gets one signal
 * that fires on either. No timer or abort listener outlives the call, and a stream that
 * arrives after the caller gave up is destroyed rather than leaked.
 */
export async function dialWithDeadline(
  what: string,
  options: DialOptions,
  defaultTimeoutMs: number,
  attempt: (signal: AbortSignal) => Promise<Duplex>,
  context: Record<string, unknown> = {},
): Promise<Duplex> {
  const caller = options.signal;
  if (caller?.aborted) throw new AbortedError(what, context);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const controller = new AbortController();
  const onCallerAbort = (): void => controller.abort(new AbortedError(what, context));
  caller?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new TimeoutError(what, timeoutMs, context)), timeoutMs);
  try {
    const stream = await attempt(controller.signal);
    if (controller.signal.aborted) {
      stream.destroy();
      throw controller.signal.reason;
    }
    return stream;
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener('abort', onCallerAbort);
  }
}
