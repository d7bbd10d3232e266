import type { Duplex } from 'node:stream';
import { LevinStreamDecoder, type LevinMessage } from '@veilnode/protocol';

/** The far end of a PeerConnection in unit tests: raw Levin in, raw frames out. */
export class FakeLevinPeer {
  readonly received: LevinMessage[] = [];
  closed = false;
  private readonly decoder = new LevinStreamDecoder({ maxPacketSize: 200_000_000 });
  private waiters: Array<() => void> = [];

  constructor(readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.received.push(...this.decoder.push(Buffer.from(chunk)));
      this.wake();
    });
    stream.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  send(frame: Uint8Array): void {
    this.stream.write(frame);
  }

  /** Waits for the next received message matching `pred` (consuming it). */
  async next(pred: (m: LevinMessage) => boolean = () => true, timeoutMs = 2000): Promise<LevinMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex(pred);
      if (i >= 0) return this.received.splice(i, 1)[0];
      if (this.closed) throw new Error('fake peer: stream closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('fake peer: timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('fake peer: connection stayed open');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
