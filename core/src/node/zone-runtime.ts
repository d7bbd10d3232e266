import type { DependencyContainer } from 'tsyringe';
import type { AddressCodec } from '../api/address';
import { VeilnodeError } from '../api/errors';
import type { Logger } from '../api/logger';
import type { Listener, Transport, TransportConnection } from '../api/transport';
import type { ZoneConfig, ZonePolicy } from '../api/zone';
import { ZONE_CODEC, ZONE_CONFIG, ZONE_LOGGER, ZONE_POLICY, ZONE_TRANSPORT } from '../di/tokens';
import type { ConnectionHandler } from './connection-handler';

/** Default deadline for an outbound dial the node makes itself. */
const DIAL_TIMEOUT_MS = 10_000;

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
  private readonly open = { inbound: new Set<TransportConnection>(), outbound: new Set<TransportConnection>() };

  constructor(
    readonly container: DependencyContainer,
    private readonly handler: ConnectionHandler,
  ) {
    this.config = container.resolve<ZoneConfig>(ZONE_CONFIG);
    this.name = this.config.name;
    this.transport = container.resolve<Transport>(ZONE_TRANSPORT);
    this.policy = container.resolve<ZonePolicy>(ZONE_POLICY);
    this.codec = container.resolve<AddressCodec>(ZONE_CODEC);
    this.logger = container.resolve<Logger>(ZONE_LOGGER);
  }

  get addresses(): readonly string[] {
    return this.listener?.addresses ?? [];
  }

  get connectionCounts(): { in: number; out: number } {
    return { in: this.open.inbound.size, out: this.open.outbound.size };
  }

  async start(signal: AbortSignal): Promise<void> {
    await this.transport.start?.(signal);
    if (this.config.inbound !== null && this.transport.capabilities.listen) {
      this.listener = await this.transport.listen((connection) => this.adopt(connection), { signal });
    }
  }

  /** Dial a peer of this zone (text form) and hand the connection over. */
  async dial(address: string, signal?: AbortSignal): Promise<void> {
    if (this.open.outbound.size >= this.config.maxOutbound) {
      throw new VeilnodeError('ZONE_OUTBOUND_FULL', `zone ${this.name} already has ${this.open.outbound.size} outbound connections (max ${this.config.maxOutbound})`, {
        zone: this.name,
      });
    }
    const connection = await this.transport.dial(this.codec.parse(address), { signal, timeoutMs: DIAL_TIMEOUT_MS });
    this.adopt(connection);
  }

  private adopt(connection: TransportConnection): void {
    const set = this.open[connection.direction];
    const remote = connection.remote === undefined ? undefined : this.codec.format(connection.remote);
    if (connection.direction === 'inbound' && set.size >= this.config.maxInbound) {
      this.logger.info({ remote, max: this.config.maxInbound }, 'inbound connection refused: zone is full');
      connection.stream.destroy();
      return;
    }
    set.add(connection);
    connection.stream.on('error', (error: Error) => this.logger.debug({ remote, err: error.message }, 'connection error'));
    connection.stream.once('close', () => set.delete(connection));
    this.handler.handle({ zone: this.name, policy: this.policy, codec: this.codec, connection, remote });
  }

  /** Close the listener, destroy every connection, stop the transport. */
  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    // Stop accepting first, but destroy connections before awaiting the close: a listener's
    // close (net.Server.close) may wait for its open connections to end.
    const closing = listener?.close();
    for (const set of [this.open.inbound, this.open.outbound]) {
      for (const connection of set) connection.stream.destroy();
      set.clear();
    }
    await closing;
    await this.transport.stop();
  }
}
