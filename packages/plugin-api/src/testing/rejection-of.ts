import type { TransportConnection } from '../transport';

/**
 * The error a promise rejects with, for tests (the node's, and plugin authors' through
 * @veilnode/compliance). Fails (naming `what`) when it resolves instead; a connection it resolved
 * with is destroyed so the failing test leaks nothing. `E` is what the caller expects the error
 * to be; it is not checked, so assert it.
 */
export async function rejectionOf<E extends Error = Error>(promise: Promise<unknown>, what = 'the call'): Promise<E> {
  let value: unknown;
  try {
    value = await promise;
  } catch (err) {
    if (err instanceof Error) return err as E;
    throw new Error(`${what} rejected with a non-Error value: ${String(err)}`, { cause: err });
  }
  (value as Partial<TransportConnection> | undefined)?.stream?.destroy();
  throw new Error(`${what} resolved but was expected to reject`);
}
