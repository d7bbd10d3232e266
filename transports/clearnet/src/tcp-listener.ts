import type { Server } from 'node:net';
import type { Listener } from '@veilnode/plugin-api';

/**
 * A listening TCP server as a Listener. close() stops accepting and releases the port at once;
 * it does not wait for accepted streams (net.Server's own close callback would), because those
 * belong to the transport and are ended by their owner or by Transport.stop().
 */
export class TcpListener implements Listener {
  private closing?: Promise<void>;

  constructor(
    private readonly server: Server,
    readonly addresses: readonly string[],
    private readonly onClosed: (listener: TcpListener) => void,
  ) {}

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.server.close();
      this.onClosed(this);
      // The handle is released on the next loop turn; resolve after it.
      setImmediate(resolve);
    });
    return this.closing;
  }
}
