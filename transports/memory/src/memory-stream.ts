import { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '@veilnode/plugin-api';
import type { LinkPipe } from './link-model';

/** Bytes a writer may have on the wire, unread by the peer, before its writes wait (a TCP window). */
export const DEFAULT_WINDOW_BYTES = 256 * 1024;

/**
 * One end of an in-process connection. Written chunks travel through the outgoing LinkPipe and
 * are pushed into the peer after the pipe's delay, on the injected clock. Backpressure is
 * end to end: a write completes only while the bytes in flight are under the window and the
 * peer's reader is not full, so a paused reader stops the writer as TCP would.
 * `end()` arrives after the data (half-close); `destroy()` before both sides finished is a
 * reset: the peer is destroyed after the link latency.
 */
export class MemoryStream extends Duplex {
  private peer!: MemoryStream;
  private inFlight = 0;
  private peerFull = false;
  private heldWrite: ((error?: Error | null) => void) | undefined;
  private readonly timers = new Set<TimerHandle>();
  /** Deliveries in send order; a due timer runs every earlier one first (real timers may reorder). */
  private readonly outbox: (() => void)[] = [];
  private sentCount = 0;
  private deliveredCount = 0;

  private constructor(
    private readonly clock: Clock,
    private readonly outgoing: LinkPipe,
    private readonly windowBytes: number,
  ) {
    super({ allowHalfOpen: true });
  }

  /** Two connected ends: `[dialer's, listener's]`, each writing through its own pipe. */
  static pair(clock: Clock, dialerToListener: LinkPipe, listenerToDialer: LinkPipe, windowBytes = DEFAULT_WINDOW_BYTES): [MemoryStream, MemoryStream] {
    const a = new MemoryStream(clock, dialerToListener, windowBytes);
    const b = new MemoryStream(clock, listenerToDialer, windowBytes);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.inFlight += chunk.length;
    this.after(chunk.length, () => this.peer.arrive(chunk, this));
    if (this.canWrite()) callback();
    else this.heldWrite = callback;
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.after(0, () => {
      if (!this.peer.destroyed) this.peer.push(null);
    });
    callback();
  }

  override _read(): void {
    this.peer.peerFull = false;
    this.peer.releaseWrite();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A clean close (both directions ended) lets bytes still on the wire arrive; a reset drops them.
    if (this.writableFinished && this.readableEnded) {
      callback(error);
      return;
    }
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.outbox.length = 0;
    if (!this.peer.destroyed) {
      // A reset travels like any other signal on the link.
      const peer = this.peer;
      const timer = this.clock.setTimer(this.outgoing.model.latencyMs, () => {
        peer.timers.delete(timer);
        peer.destroy();
      });
      peer.timers.add(timer);
    }
    callback(error);
  }

  private arrive(chunk: Buffer, sender: MemoryStream): void {
    if (this.destroyed) return;
    sender.inFlight -= chunk.length;
    if (!this.push(chunk)) sender.peerFull = true;
    sender.releaseWrite();
  }

  private canWrite(): boolean {
    return this.inFlight < this.windowBytes && !this.peerFull;
  }

  private releaseWrite(): void {
    if (this.heldWrite === undefined || !this.canWrite()) return;
    const callback = this.heldWrite;
    this.heldWrite = undefined;
    callback();
  }

  /**
   * Runs `fn` when `bytes` sent now arrive at the peer, never before what was sent earlier
   * (Node rounds timer delays to whole milliseconds, which can reorder close deadlines);
   * cancelled if this end is reset.
   */
  private after(bytes: number, fn: () => void): void {
    const sequence = this.sentCount++;
    this.outbox.push(fn);
    const now = this.clock.now();
    const timer = this.clock.setTimer(this.outgoing.schedule(bytes, now) - now, () => {
      this.timers.delete(timer);
      while (this.deliveredCount <= sequence && this.outbox.length > 0) {
        this.deliveredCount++;
        (this.outbox.shift() as () => void)();
      }
    });
    this.timers.add(timer);
  }
}
