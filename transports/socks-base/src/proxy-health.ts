import { probeSocksProxy, type Logger, type SocksProxy } from '@veilnode/plugin-api';
import { Backoff } from './backoff';

/**
 * Health of the SOCKS proxy as dials see it. A proxy-side dial failure marks it down; a probe loop
 * with back-off then watches it and marks it up again as soon as it answers (or any dial succeeds).
 */
export class ProxyHealth {
  private down: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly backoff: Backoff;

  constructor(
    private readonly proxy: SocksProxy,
    private readonly logger: Logger,
    retryInitialMs: number,
    retryMaxMs: number,
  ) {
    this.backoff = new Backoff(retryInitialMs, retryMaxMs);
  }

  /** Undefined when healthy, else why not. */
  get problem(): string | undefined {
    return this.down;
  }

  markDown(reason: string): void {
    if (this.stopped) return;
    const wasUp = this.down === undefined;
    this.down = reason;
    if (wasUp) {
      this.logger.warn({ proxy: this.proxy.toString(), reason }, 'SOCKS proxy is down; probing until it is back');
      this.backoff.reset();
      this.schedule();
    }
  }

  markUp(): void {
    if (this.down === undefined) return;
    this.down = undefined;
    clearTimeout(this.timer);
    this.logger.info({ proxy: this.proxy.toString() }, 'SOCKS proxy is reachable again');
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.probe(), this.backoff.nextDelay());
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    try {
      await probeSocksProxy(this.proxy);
      this.markUp();
    } catch (err) {
      if (this.down !== undefined && !this.stopped) {
        this.down = err instanceof Error ? err.message : String(err);
        this.schedule();
      }
    }
  }
}
