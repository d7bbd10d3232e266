import type { TransportConnection } from '@veilnode/core';

/**
 * The error a promise rejects with. Fails (naming `what`) when it resolves instead; a
 * connection it resolved with is destroyed so the failing test leaks nothing.
 */
export async function rejectionOf(promise: Promise<unknown>, what: string): Promise<Error> {
  let value: unknown;
  try {
    value = await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`${what} rejected with a non-Error value: ${String(err)}`, { cause: err });
  }
  (value as Partial<TransportConnection> | undefined)?.stream?.destroy();
  throw new Error(`${what} resolved but was expected to reject`);
}
