import { createServer, type Server, type Socket } from 'node:net';
import { AbortedError, TransportUnavailableError, VeilnodeError, type Logger, type TransportConnection } from '@veilnode/plugin-api';
import { i2pZone, type B32Codec } from '@veilnode/i2p-zone';
import type { DestinationKeys } from './destination-keys';
import { readDestinationLine } from './destination-line';
import type { SamClient, SamSession } from './sam-client';
import type { SameKeysCooldown } from './same-keys-cooldown';

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;
const DESTINATION_LINE_TIMEOUT_MS = 30_000;

export interface PersistentSessionOptions {
  readonly client: SamClient;
  readonly keys: DestinationKeys;
  readonly options: Readonly<Record<string, string>>;
  readonly sessionTimeoutMs: number;
  /** Spaces out sessions on these keys (i2pd would delete a re-created session's destination). */
  readonly cooldown: SameKeysCooldown;
  readonly logger: Logger;
  /** Gets every inbound stream, destination line consumed, with the peer's b32 as `remote`. */
  readonly onInbound: (connection: TransportConnection) => void;
}

type State =
  | { readonly kind: 'starting' }
  | { readonly kind: 'up'; readonly session: SamSession }
  | { readonly kind: 'down'; readonly reason: Error }
  | { readonly kind: 'stopped' };

/**
 * Our one long-lived SAM session: the stable inbound destination (and, if configured, the
 * outbound one). SAM forwards its inbound streams to a loopback listener owned here. When the
 * bridge drops the session (router restart) it is re-created with backoff, by itself, under the
 * same keys, so the `.b32.i2p` address stays the same.
 */
export class PersistentSession {
  private state: State = { kind: 'starting' };
  private server?: Server;
  private readonly waiters = new Set<{ resolve: (s: SamSession) => void; reject: (e: Error) => void }>();
  private retryTimer?: NodeJS.Timeout;
  /** Forwarded sockets still waiting for their destination line (handed-over ones belong to the transport). */
  private readonly pendingInbound = new Set<Socket>();
  private readonly codec: B32Codec = i2pZone.codec as B32Codec;
  /** False after stopAccepting(): sessions then exist for outbound only, without STREAM FORWARD. */
  private accepting = true;
  /** A session we closed to replace it: the next one, under the same keys, waits until it is gone. */
  private replaced?: Promise<void>;

  constructor(private readonly o: PersistentSessionOptions) {}

  get b32(): string {
    return this.o.keys.b32;
  }

  get health(): { healthy: boolean; reason?: string } {
    switch (this.state.kind) {
      case 'up':
        return { healthy: true };
      case 'down':
        return { healthy: false, reason: `SAM session down: ${this.state.reason.message}` };
      case 'starting':
        return { healthy: false, reason: 'SAM session being created' };
      case 'stopped':
        return { healthy: false, reason: 'stopped' };
    }
  }

  /** Starts the forward listener and the create/re-create loop (idempotent). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    void this.createLoop(RETRY_MIN_MS);
  }

  /** The live session, waiting (until `signal` aborts) while it is being (re-)created. */
  ready(signal?: AbortSignal): Promise<SamSession> {
    if (this.state.kind === 'up') return Promise.resolve(this.state.session);
    if (this.state.kind === 'stopped') return Promise.reject(new TransportUnavailableError('i2p-sam', 'stopped'));
    const abortReason = (): Error => (signal?.reason instanceof VeilnodeError ? signal.reason : new AbortedError('waiting for the SAM session'));
    if (signal?.aborted) return Promise.reject(abortReason());
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(waiter);
        reject(abortReason());
      };
      const waiter = {
        resolve: (s: SamSession) => { signal?.removeEventListener('abort', onAbort); resolve(s); },
        reject: (e: Error) => { signal?.removeEventListener('abort', onAbort); reject(e); },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Refuses new inbound streams (cancels STREAM FORWARD) and keeps the session and open streams. */
  stopAccepting(): void {
    this.accepting = false;
    if (this.state.kind === 'up') this.state.session.stopForwarding();
  }

  /** Accepts inbound again; a session whose FORWARD was cancelled is replaced (SAM cannot resume it). */
  startAccepting(): void {
    if (this.accepting) return;
    this.accepting = true;
    if (this.state.kind === 'up') this.replaced = this.state.session.close().then(() => this.o.cooldown.sessionClosed());
  }

  async stop(): Promise<void> {
    const previous = this.state;
    this.state = { kind: 'stopped' };
    clearTimeout(this.retryTimer);
    for (const w of this.waiters) w.reject(new TransportUnavailableError('i2p-sam', 'stopped'));
    this.waiters.clear();
    for (const socket of this.pendingInbound) socket.destroy();
    // stop accepting now; streams already handed over belong to the transport, not to us
    this.server?.close();
    if (previous.kind === 'up') {
      await previous.session.close();
      await this.o.cooldown.sessionClosed();
    }
  }

  private async createLoop(delayMs: number): Promise<void> {
    await this.replaced;
    this.replaced = undefined;
    if (this.state.kind === 'stopped' || !this.server) return;
    const coolingMs = this.o.cooldown.remainingMs();
    if (coolingMs > 0) {
      this.o.logger.info({ b32: this.b32, waitMs: coolingMs }, 'waiting until i2pd has let go of our last session before a new one on the same keys');
      this.retryTimer = setTimeout(() => void this.createLoop(delayMs), coolingMs);
      return;
    }
    const address = this.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const started = Date.now();
    try {
      const session = await this.o.client.createForwardingSession({
        keys: this.o.keys,
        options: this.o.options,
        forwardTo: { host: '127.0.0.1', port },
        timeoutMs: this.o.sessionTimeoutMs,
      });
      // on disk before the session is used: a crash from here on makes the next start wait
      await this.o.cooldown.sessionUp();
      if (this.isStopped()) {
        await session.close();
        await this.o.cooldown.sessionClosed();
        return;
      }
      this.state = { kind: 'up', session };
      if (!this.accepting) session.stopForwarding();
      this.o.logger.info({ b32: this.b32, sessionId: session.id, ms: Date.now() - started }, 'I2P SAM session up');
      for (const w of this.waiters) w.resolve(session);
      this.waiters.clear();
      const reason = await session.closed;
      if (this.isStopped()) return;
      await this.o.cooldown.sessionClosed();
      this.state = { kind: 'down', reason };
      this.o.logger.warn({ b32: this.b32, err: reason }, 'I2P SAM session lost; re-creating');
      this.scheduleRetry(RETRY_MIN_MS);
    } catch (error) {
      if (this.isStopped()) return;
      const reason = error as Error;
      this.state = { kind: 'down', reason };
      this.o.logger.warn({ b32: this.b32, err: reason, retryInMs: delayMs }, 'I2P SAM session could not be created');
      this.scheduleRetry(delayMs);
    }
  }

  /** A method, not an inline check, because the state changes across awaits. */
  private isStopped(): boolean {
    return this.state.kind === 'stopped';
  }

  private scheduleRetry(delayMs: number): void {
    this.retryTimer = setTimeout(() => void this.createLoop(Math.min(delayMs * 2, RETRY_MAX_MS)), delayMs);
  }

  private accept(socket: Socket): void {
    this.pendingInbound.add(socket);
    socket.once('close', () => this.pendingInbound.delete(socket));
    socket.on('error', () => undefined); // the consumer attaches its own; this one only prevents a crash meanwhile
    void (async () => {
      try {
        const remote = this.codec.fromDestination(await readDestinationLine(socket, DESTINATION_LINE_TIMEOUT_MS));
        this.pendingInbound.delete(socket);
        this.o.onInbound({ stream: socket, direction: 'inbound', remote });
      } catch (error) {
        this.o.logger.debug({ err: error }, 'dropped a forwarded stream without a valid destination line');
        socket.destroy();
      }
    })();
  }
}
