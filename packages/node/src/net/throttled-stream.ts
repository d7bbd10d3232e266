import { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '@veilnode/plugin-api';
import type { TokenBucket } from './token-bucket';

/** The upload and download budgets every peer stream of the node shares (--limit-rate-up/-down). */
export interface PeerRateLimits {
  readonly up: TokenBucket;
  readonly down: TokenBucket;
  readonly clock: Clock;
}

/**
 * A peer's byte stream held to the node's shared rate limits: a write waits until the upload
 * budget covers it, and after a read that overdraws the download budget the socket is paused
 * (TCP then pushes back on the sender) until the budget has recovered.
 */
export class ThrottledStream extends Duplex {
  private readonly pending = new Set<TimerHandle>();
  private readTimer: TimerHandle | undefined;
  private wantsData = true;

  constructor(
    private readonly inner: Duplex,
    private readonly limits: PeerRateLimits,
  ) {
    super({ allowHalfOpen: false });
    inner.on('data', (chunk: Buffer) => this.onData(chunk));
    inner.on('end', () => this.push(null));
    inner.on('error', (error) => this.destroy(error));
    inner.on('close', () => this.destroy());
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.afterBudget(this.limits.up.take(chunk.length), () => {
      if (this.inner.write(chunk)) callback();
      else this.inner.once('drain', () => callback());
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.end(() => callback());
  }

  override _read(): void {
    this.wantsData = true;
    if (this.readTimer === undefined) this.inner.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    for (const timer of this.pending) timer.cancel();
    this.pending.clear();
    this.readTimer?.cancel();
    this.readTimer = undefined;
    this.inner.destroy(error ?? undefined);
    callback(error);
  }

  private onData(chunk: Buffer): void {
    const wait = this.limits.down.take(chunk.length);
    this.wantsData = this.push(chunk);
    if (wait > 0) {
      this.inner.pause();
      this.readTimer?.cancel();
      this.readTimer = this.limits.clock.setTimer(wait, () => {
        this.readTimer = undefined;
        if (this.wantsData && !this.destroyed) this.inner.resume();
      });
    } else if (!this.wantsData) {
      this.inner.pause();
    }
  }

  private afterBudget(wait: number, fn: () => void): void {
    if (wait <= 0) {
      fn();
      return;
    }
    const timer = this.limits.clock.setTimer(wait, () => {
      this.pending.delete(timer);
      if (!this.destroyed) fn();
    });
    this.pending.add(timer);
  }
}
