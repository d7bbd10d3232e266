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

export interface DeadlineDialOptions {
  /** What is being dialed, for error messages: `dial 1.2.3.4:18080`. Never a secret. */
  readonly what: string;
  /** The caller's options: its signal (→ AbortedError) and deadline (→ TimeoutError). */
  readonly options: DialOptions;
  /** Deadline when the caller gives none. */
  readonly defaultTimeoutMs: number;
  /** The transport's own lifetime: aborting it (stop()) cancels the dial with its reason. */
  readonly lifetime?: AbortSignal;
  /** Extra fields for the errors' context (no secrets; no IPs on anonymity zones). */
  readonly context?: Record<string, unknown>;
}

/**
 * Runs one dial attempt under the caller's AbortSignal, a deadline and the transport's
 * lifetime, the same way for every transport: caller abort → AbortedError, deadline →
 * TimeoutError, transport stopped → the lifetime's reason. `attempt` gets one signal that fires
 * on any of them. No timer or abort listener outlives the call, and a stream that arrives after
 * the caller gave up is destroyed rather than leaked.
 */
export async function dialWithDeadline(
  { what, options, defaultTimeoutMs, lifetime, context = {} }: DeadlineDialOptions,
  attempt: (signal: AbortSignal) => Promise<Duplex>,
): Promise<Duplex> {
  const caller = options.signal;
  if (lifetime?.aborted) throw lifetime.reason;
  if (caller?.aborted) throw new AbortedError(what, context);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const controller = new AbortController();
  const onCallerAbort = (): void => controller.abort(new AbortedError(what, context));
  const onLifetimeEnd = (): void => controller.abort(lifetime?.reason);
  caller?.addEventListener('abort', onCallerAbort, { once: true });
  lifetime?.addEventListener('abort', onLifetimeEnd, { once: true });
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
    lifetime?.removeEventListener('abort', onLifetimeEnd);
  }
}
