import type { DependencyContainer } from 'tsyringe';
import { type AddressCodec, type PeerAddress, VeilnodeError, type Logger, type Listener, type Transport, type TransportConnection, type TransportStatus, type ZoneConfig, type ZonePolicy, SystemClock, type Clock } from '@veilnode/plugin-api';
import { ZONE_CODEC, ZONE_CONFIG, ZONE_LOGGER, ZONE_POLICY, ZONE_TRANSPORT } from '../di/tokens';
import { IntervalSummaryLog } from '../logging/interval-summary-log';
import type { ConnectionHandler } from '../peer/connection-handler';
import { InboundAdmission, type InboundSlot } from './inbound-admission';

/** How often the transport's health is read, so a lost proxy or control port is logged promptly. */
export const HEALTH_POLL_MS = 1_000;
const HEALTHY: TransportStatus = Object.freeze({ healthy: true });
/** Refused inbound connections are logged as one summary line per this interval. */
export const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * One running zone: its transport (from the zone's own container), its listener, and the
 * connections it has open, counted per direction. Everything it touches comes from its child
 * container, so it cannot reach another zone's transport.
 */
export class ZoneRuntime {
  readonly name: string;
  readonly config: ZoneConfig;
  readonly transport: Transport;
  readonly policy: ZonePolicy;
  readonly codec: AddressCodec;
  private readonly logger: Logger;
  private listener: Listener | undefined;
  /** `carrier`: private-broadcast carriers, outbound too but outside `maxOutbound` (their pool bounds them). */
  private readonly open = { inbound: new Set<TransportConnection>(), outbound: new Set<TransportConnection>(), carrier: new Set<TransportConnection>() };
  private readonly admission: InboundAdmission;
  private readonly refusals: IntervalSummaryLog;
  private healthTimer: NodeJS.Timeout | undefined;
  private lastHealth: TransportStatus = HEALTHY;

  constructor(
    readonly container: DependencyContainer,
    private readonly handler: ConnectionHandler,
    private readonly healthPollMs = HEALTH_POLL_MS,
    clock: Clock = new SystemClock(),
  ) {
    this.config = container.resolve<ZoneConfig>(ZONE_CONFIG);
    this.name = this.config.name;
    this.transport = container.resolve<Transport>(ZONE_TRANSPORT);
    this.policy = container.resolve<ZonePolicy>(ZONE_POLICY);
    this.codec = container.resolve<AddressCodec>(ZONE_CODEC);
    this.logger = container.resolve<Logger>(ZONE_LOGGER);
    this.admission = new InboundAdmission({ maxInbound: this.config.maxInbound, maxPerIp: this.config.maxConnectionsPerIp });
    this.refusals = new IntervalSummaryLog({
      logger: this.logger,
      message: 'inbound connections refused',
      intervalMs: REFUSAL_LOG_INTERVAL_MS,
      clock,
      fields: { maxInbound: this.config.maxInbound, maxConnectionsPerIp: this.config.maxConnectionsPerIp },
    });
  }

  get addresses(): readonly string[] {
    return this.listener?.addresses ?? [];
  }

  get connectionCounts(): { in: number; out: number } {
    return { in: this.open.inbound.size, out: this.open.outbound.size + this.open.carrier.size };
  }

  /**
   * The transport's health (SOCKS proxy reachable, control port up, SAM session alive...). The
   * transport retries by itself; queued txs stay in the relay journal until it recovers.
   */
  health(): TransportStatus {
    return this.transport.status?.() ?? HEALTHY;
  }

  async start(signal: AbortSignal): Promise<void> {
    await this.transport.start?.(signal);
    this.watchHealth();
    const { listen, ownInbound } = this.transport.capabilities;
    if (listen && (this.config.inbound !== null || ownInbound === true)) {
      this.listener = await this.transport.listen((connection) => this.adopt(connection), { signal, bind: this.config.inbound?.bind });
    }
  }

  /** Dial a peer of this zone, hand the connection over and return it. */
  async dial(address: PeerAddress, signal?: AbortSignal): Promise<TransportConnection> {
    if (this.open.outbound.size >= this.config.maxOutbound) {
      throw new VeilnodeError('ZONE_OUTBOUND_FULL', `zone ${this.name} already has ${this.open.outbound.size} outbound connections (max ${this.config.maxOutbound})`, {
        zone: this.name,
      });
    }
    const refusal = this.handler.refusal?.(this.name, address);
    if (refusal !== undefined) throw new VeilnodeError('PEER_REFUSED', `zone ${this.name} does not dial this peer: ${refusal}`, { zone: this.name, refusal });
    // no deadline of our own: each transport's configured one applies (a transient I2P dial
    // alone needs a ~20 s SAM SESSION CREATE; clearnet's default stays 10 s)
    const connection = await this.transport.dial(address, { signal });
    this.adopt(connection);
    return connection;
  }

  /**
   * Dial a private-broadcast carrier: a stream with a fresh identity (its own Tor circuit), handed
   * over marked as a carrier. Refused unless the transport's definition declared `freshIdentity`
   * (`canOpenCarriers`), and the transport itself refuses rather than dial without one.
   */
  async dialCarrier(address: PeerAddress, canOpenCarriers: boolean, signal?: AbortSignal): Promise<TransportConnection> {
    if (!canOpenCarriers) throw new VeilnodeError('ZONE_NO_CARRIERS', `zone ${this.name}'s transport cannot open private-broadcast carriers`, { zone: this.name });
    const refusal = this.handler.refusal?.(this.name, address);
    if (refusal !== undefined) throw new VeilnodeError('PEER_REFUSED', `zone ${this.name} does not dial this peer: ${refusal}`, { zone: this.name, refusal });
    const connection = await this.transport.dial(address, { signal, freshIdentity: true });
    this.adopt(connection, true);
    return connection;
  }

  private adopt(connection: TransportConnection, carrier = false): void {
    const set = carrier ? this.open.carrier : this.open[connection.direction];
    const remote = connection.remote === undefined ? undefined : this.codec.format(connection.remote);
    let slot: InboundSlot | undefined;
    if (connection.direction === 'inbound') {
      const refusal = connection.remote === undefined ? undefined : this.handler.refusal?.(this.name, connection.remote);
      const admitted = refusal ?? this.admission.admit(connection.remote);
      if (typeof admitted === 'string') {
        // counted, never logged one by one: whoever opens connections decides how often this runs
        this.refusals.count(admitted);
        connection.stream.destroy();
        return;
      }
      slot = admitted;
    }
    set.add(connection);
    connection.stream.on('error', (error: Error) => this.logger.debug({ remote, err: error.message }, 'connection error'));
    connection.stream.once('close', () => {
      set.delete(connection);
      slot?.release();
    });
    this.handler.handle({ zone: this.name, policy: this.policy, codec: this.codec, connection, remote, ...(carrier ? { carrier } : {}) });
  }

  /** Logs each change of the transport's health: lost (with its reason) and recovered. */
  private watchHealth(): void {
    if (this.transport.status === undefined) return;
    const check = (): void => {
      const now = this.health();
      const before = this.lastHealth;
      this.lastHealth = now;
      if (!now.healthy && (before.healthy || before.reason !== now.reason)) {
        this.logger.warn({ reason: now.reason, queuedTxsKept: true }, `zone ${this.name} is unhealthy; its transport retries with back-off`);
      } else if (now.healthy && !before.healthy) {
        this.logger.info({}, `zone ${this.name} is healthy again`);
      }
    };
    check();
    this.healthTimer = setInterval(check, this.healthPollMs);
    this.healthTimer.unref();
  }

  /** Close the listener, destroy every connection, stop the transport. */
  async stop(): Promise<void> {
    this.refusals.flush();
    clearInterval(this.healthTimer);
    this.healthTimer = undefined;
    const listener = this.listener;
    this.listener = undefined;
    // Stop accepting first, but destroy connections before awaiting the close: a listener's
    // close (net.Server.close) may wait for its open connections to end.
    const closing = listener?.close();
    for (const set of [this.open.inbound, this.open.outbound, this.open.carrier]) {
      for (const connection of set) connection.stream.destroy();
      set.clear();
    }
    await closing;
    await this.transport.stop();
  }
}
