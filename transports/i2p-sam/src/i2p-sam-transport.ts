import type { Duplex } from 'node:stream';
import { AbortedError, dialWithDeadline, TransportUnavailableError, ZONE_I2P, type DialOptions, type Listener, type ListenOptions, type Logger, type PeerAddress, type Transport, type TransportConnection, type TransportStatus } from '@veilnode/plugin-api';
import { i2pDialTarget } from '@veilnode/i2p-zone';
import { i2cpOptions, PLUGIN_NAME, type SamTransportConfig } from './config';
import { DestinationKeys } from './destination-keys';
import { loadOrCreateKeys } from './key-store';
import { PersistentSession } from './persistent-session';
import { SameKeysCooldown } from './same-keys-cooldown';
import type { SamClient } from './sam-client';

export interface I2pSamTransportDeps {
  readonly config: SamTransportConfig;
  readonly client: SamClient;
  /** Private directory for the persistent destination's key file. */
  readonly dataDir: string;
  readonly logger: Logger;
  /** Pause between sessions on the persistent keys (default SAME_KEYS_COOLDOWN_MS; tests shorten it). */
  readonly sameKeysCooldownMs?: number;
}

/**
 * The I2P zone over a SAM v3.1 bridge. Inbound (and, with `outbound: persistent`, outbound)
 * runs on one persistent session whose keys live in the data dir; by default every outbound
 * connection gets its own transient destination, so peers cannot link our connections. A dial
 * with `freshIdentity` always does (SESSION CREATE on newly generated keys, closed with its
 * stream), so the plugin declares fresh identities for every zone config.
 */
export class I2pSamTransport implements Transport {
  readonly name = PLUGIN_NAME;
  readonly zone = ZONE_I2P;
  /**
   * i2pd ends a SAM stream both ways on the first EOF (like Tor): no half-close. The persistent
   * destination is our own inbound address, so the zone listens without `zones.i2p.inbound`.
   */
  readonly capabilities = { dial: true, listen: true, halfClose: false, ownInbound: true } as const;

  private persistent?: Promise<PersistentSession>;
  private session?: PersistentSession;
  private onInbound?: (connection: TransportConnection) => void;
  private readonly streams = new Set<Duplex>();
  private stopped = false;
  /** Aborted by stop(): cancels dials in flight. */
  private readonly lifetime = new AbortController();

  constructor(private readonly deps: I2pSamTransportDeps) {}

  async dial(address: PeerAddress, options: DialOptions = {}): Promise<TransportConnection> {
    if (this.stopped) throw new TransportUnavailableError(this.name, 'stopped');
    const { host } = i2pDialTarget(address, this.name);
    const started = Date.now();
    // one signal for the caller's abort, the deadline (which covers waiting for the persistent
    // session too) and stop(); the SAM calls reject with its reason
    const stream = await dialWithDeadline(
      { what: `dial ${host}`, options, defaultTimeoutMs: this.deps.config.dialTimeoutMs, lifetime: this.lifetime.signal, context: { peer: host } },
      async (signal) => {
        const call = { signal, timeoutMs: options.timeoutMs ?? this.deps.config.dialTimeoutMs };
        // a fresh-identity dial (a private-broadcast carrier) gets its own new destination whatever
        // `outbound` says: never the persistent one (our inbound address), and no way back to it on failure
        if (options.freshIdentity === true || this.deps.config.outbound === 'transient') {
          return this.deps.client.connectWithNewSession({
            ...call,
            keys: DestinationKeys.generate(),
            options: i2cpOptions(this.deps.config.transientTunnels),
            destination: host,
          });
        }
        const persistent = await this.ensurePersistent();
        const session = await persistent.ready(signal);
        return this.deps.client.connect(session, host, call);
      },
    );
    // no peer b32: anonymity-zone peer addresses stay out of the logs
    this.deps.logger.debug({ outbound: this.deps.config.outbound, freshIdentity: options.freshIdentity === true, ms: Date.now() - started }, 'I2P stream open');
    return { stream: this.track(stream), direction: 'outbound', remote: address };
  }

  /**
   * Resolves as soon as the persistent destination's keys are loaded: its address is fixed by
   * them, so a slow or dead SAM bridge does not hold up (or fail) the zone's start. Until the
   * session is up, status() says why; the session is created, and re-created, in the background.
   */
  async listen(onConnection: (connection: TransportConnection) => void, options: ListenOptions = {}): Promise<Listener> {
    if (this.stopped) throw new TransportUnavailableError(this.name, 'stopped');
    if (options.signal?.aborted) throw new AbortedError('i2p-sam listen');
    if (this.onInbound) throw new TransportUnavailableError(this.name, 'already listening');
    this.onInbound = onConnection;
    try {
      const persistent = await this.ensurePersistent();
      persistent.startAccepting();
      let closed = false;
      return {
        addresses: [persistent.b32],
        // Cancels the FORWARD only: closing the session would cut the streams already open
        // (SAM ends a session's streams with it); it stays until stop().
        close: async () => {
          if (closed) return;
          closed = true;
          if (this.onInbound !== onConnection) return;
          this.onInbound = undefined;
          persistent.stopAccepting();
        },
      };
    } catch (error) {
      this.onInbound = undefined;
      await this.closePersistent();
      throw error;
    }
  }

  status(): TransportStatus {
    if (this.stopped) return { healthy: false, reason: 'stopped' };
    // transient-only use keeps nothing alive between dials; each dial reports its own failure
    if (!this.persistent) return { healthy: true };
    return this.session?.health ?? { healthy: false, reason: 'SAM session being created' };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.lifetime.abort(new TransportUnavailableError(this.name, 'stopped'));
    this.onInbound = undefined;
    for (const stream of this.streams) stream.destroy();
    this.streams.clear();
    await this.closePersistent();
    // the transient sessions of the streams just destroyed close after them (DivaSamClient)
    await this.deps.client.drain();
  }

  private ensurePersistent(): Promise<PersistentSession> {
    this.persistent ??= (async () => {
      const { keys, created } = await loadOrCreateKeys(this.deps.dataDir);
      this.deps.logger.info({ b32: keys.b32, created }, 'I2P persistent destination');
      const cooldown = new SameKeysCooldown(this.deps.dataDir, this.deps.sameKeysCooldownMs);
      await cooldown.load();
      const session = new PersistentSession({
        cooldown,
        client: this.deps.client,
        keys,
        options: i2cpOptions(this.deps.config.tunnels),
        sessionTimeoutMs: this.deps.config.sessionTimeoutMs,
        logger: this.deps.logger,
        onInbound: (connection) => {
          if (!this.onInbound) {
            connection.stream.destroy();
            return;
          }
          this.track(connection.stream);
          this.onInbound(connection);
        },
      });
      this.session = session;
      await session.start();
      return session;
    })();
    return this.persistent;
  }

  private async closePersistent(): Promise<void> {
    const pending = this.persistent;
    this.persistent = undefined;
    this.session = undefined;
    if (pending) await pending.then((s) => s.stop(), () => undefined);
  }

  private track(stream: Duplex): Duplex {
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    return stream;
  }
}
