import type { TransportConnection } from '@veilnode/plugin-api';

/**
 * Collects the inbound connections a Listener hands to its callback, so a test can await the
 * next one (with a deadline) and close every one of them afterwards.
 */
export class ConnectionInbox {
  /** Every connection received, in order, including those already taken with next(). */
  readonly received: TransportConnection[] = [];
  private readonly queued: TransportConnection[] = [];
  private waiter?: (connection: TransportConnection) => void;

  /** `onArrival` sees every connection first (the session watches its stream for faults). */
  constructor(private readonly onArrival: (connection: TransportConnection) => void = () => undefined) {}

  /** Pass this as the `onConnection` callback of Transport.listen(). */
  readonly accept = (connection: TransportConnection): void => {
    this.received.push(connection);
    this.onArrival(connection);
    if (this.waiter) {
      const deliver = this.waiter;
      this.waiter = undefined;
      deliver(connection);
    } else {
      this.queued.push(connection);
    }
  };

  next(timeoutMs: number): Promise<TransportConnection> {
    const ready = this.queued.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no inbound connection within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (connection) => {
        clearTimeout(timer);
        resolve(connection);
      };
    });
  }

  destroyAll(): void {
    for (const connection of this.received) connection.stream.destroy();
  }
}
