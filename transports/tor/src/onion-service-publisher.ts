import { EventEmitter } from 'node:events';
import type { Logger } from '@veilnode/plugin-api';
import { Backoff } from '@veilnode/socks-transport';
import type { OnionServiceKey } from './onion-service-key';
import { TorControlClient } from './tor-control-client';
import { TorControlError } from './tor-control-errors';

export interface OnionServicePublisherOptions {
  readonly controlHost: string;
  readonly controlPort: number;
  readonly password?: string;
  readonly key: OnionServiceKey;
  /** Port peers dial on the onion. */
  readonly virtualPort: number;
  /** Local `ip:port` tor forwards the service to (our inbound listener). */
  readonly target: string;
  readonly logger: Logger;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly connectTimeoutMs?: number;
}

export interface PublisherStatus {
  readonly published: boolean;
  readonly reason?: string;
}

/**
 * Keeps our onion service alive through Tor's control port: connect, authenticate, ADD_ONION with
 * our stored key, and hold the control connection open (tor removes a non-detached service when
 * it closes). When tor goes away it reports why and retries with back-off until tor is back.
 * Emits 'status' (PublisherStatus) on every change.
 */
export class OnionServicePublisher extends EventEmitter {
  private client: TorControlClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: PublisherStatus = { published: false, reason: 'not started' };
  private readonly backoff: Backoff;
  private readonly control: string;

  constructor(private readonly options: OnionServicePublisherOptions) {
    super();
    this.backoff = new Backoff(options.retryInitialMs, options.retryMaxMs);
    this.control = `${options.controlHost}:${options.controlPort}`;
  }

  get status(): PublisherStatus {
    return this.current;
  }

  /** Starts the first attempt now; later ones follow by themselves. */
  start(): void {
    this.stopped = false;
    void this.attempt();
  }

  /** Resolves once the service is published (or rejects when `signal` aborts). */
  whenPublished(signal?: AbortSignal): Promise<void> {
    if (this.current.published) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onStatus = (s: PublisherStatus): void => {
        if (!s.published) return;
        this.off('status', onStatus);
        resolve();
      };
      this.on('status', onStatus);
      signal?.addEventListener('abort', () => {
        this.off('status', onStatus);
        reject(new Error('aborted'));
      });
    });
  }

  /** Removes the service (DEL_ONION) and closes the control connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners('close');
    try {
      if (this.current.published) await client.delOnion(this.options.key.host.replace(/\.onion$/, ''));
    } catch (err) {
      this.options.logger.warn({ control: this.control, code: (err as TorControlError).code }, 'DEL_ONION failed; tor drops the service when the control connection closes');
    }
    await client.close();
    this.setStatus({ published: false, reason: 'stopped' });
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const { logger, key } = this.options;
    let client: TorControlClient | undefined;
    try {
      client = await TorControlClient.connect(this.options.controlHost, this.options.controlPort, { timeoutMs: this.options.connectTimeoutMs });
      await client.authenticate({ password: this.options.password });
      const serviceId = await client.addOnion(key.toTorKeyBlob(), this.options.virtualPort, this.options.target);
      if (`${serviceId}.onion` !== key.host) {
        throw new Error(`tor reports service ${serviceId}.onion for our key of ${key.host}`);
      }
      if (this.stopped) {
        await client.close();
        return;
      }
      this.client = client;
      client.once('close', () => this.onLost());
      this.backoff.reset();
      logger.info({ control: this.control, onion: `${key.host}:${this.options.virtualPort}` }, 'onion service published via Tor control port');
      this.setStatus({ published: true });
    } catch (err) {
      void client?.close();
      const reason = err instanceof Error ? err.message : String(err);
      this.setStatus({ published: false, reason });
      this.retry(reason, err instanceof TorControlError ? err.code : undefined);
    }
  }

  private onLost(): void {
    this.client = undefined;
    const reason = `Tor control connection ${this.control} lost`;
    this.setStatus({ published: false, reason });
    this.retry(reason, undefined);
  }

  private retry(reason: string, code: string | undefined): void {
    if (this.stopped) return;
    const delayMs = this.backoff.nextDelay();
    this.options.logger.warn({ control: this.control, code, reason, retryInMs: delayMs }, 'onion service not published; will retry');
    this.timer = setTimeout(() => void this.attempt(), delayMs);
  }

  private setStatus(status: PublisherStatus): void {
    this.current = status;
    this.emit('status', status);
  }
}
