import { AbortedError, DialError, DialErrorCode, ListenError, TimeoutError, TransportUnavailableError, type DialOptions, type Listener, type ListenOptions, type Logger, type PeerAddress, type Transport, type TransportConnection, type TransportStatus } from '@veilnode/plugin-api';
import type { LinkModel } from './link-model';
import type { MemoryNetwork } from './memory-network';
import type { MemoryStream } from './memory-stream';

export const MEMORY_TRANSPORT = 'memory';
export const DEFAULT_MEMORY_DIAL_TIMEOUT_MS = 5_000;

export interface MemoryTransportOptions {
  readonly network: MemoryNetwork;
  /** The zone it serves (the plugin config's `zone`, default clearnet). */
  readonly zone: string;
  /** Its own endpoint: listeners are reachable at `host:port`; dials come from it. */
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly dialTimeoutMs?: number;
  /** Link model of the connections it dials; the network's own model when absent. */
  readonly link?: LinkModel;
}

const endpointOf = (host: string, port: number) => `${host}:${port}`;

/**
 * A Transport over a MemoryNetwork: `dial` connects to another transport's endpoint in the same
 * process, `listen` accepts on its own. Deadlines run on the network's clock, so in virtual
 * time a dial times out when virtual time says so.
 */
export class MemoryTransport implements Transport {
  readonly name = MEMORY_TRANSPORT;
  readonly zone: string;
  readonly capabilities = Object.freeze({ dial: true, listen: true });
  private readonly streams = new Set<MemoryStream>();
  private readonly pendingDials = new Set<() => void>();
  private readonly listeners = new Set<Listener>();
  private stopped = false;

  constructor(private readonly options: MemoryTransportOptions) {
    this.zone = options.zone;
  }

  /** `host:port` this transport listens on and dials from. */
  get endpoint(): string {
    return endpointOf(this.options.host, this.options.port);
  }

  async dial(address: PeerAddress, dialOptions: DialOptions = {}): Promise<TransportConnection> {
    if (this.stopped) throw new TransportUnavailableError(this.name, 'the transport is stopped');
    if (address.zone !== this.zone) {
      throw new DialError(DialErrorCode.ZoneMismatch, `transport ${this.name} serves zone ${this.zone}, not ${address.zone}`, { zone: this.zone, addressZone: address.zone });
    }
    const { signal } = dialOptions;
    if (signal?.aborted) throw new AbortedError('memory dial');
    const timeoutMs = dialOptions.timeoutMs ?? this.options.dialTimeoutMs ?? DEFAULT_MEMORY_DIAL_TIMEOUT_MS;
    const to = endpointOf(address.host, address.port);
    const { clock } = this.options.network;
    return new Promise<TransportConnection>((resolve, reject) => {
      const settle = (outcome: () => void) => {
        cancelConnect();
        deadline.cancel();
        signal?.removeEventListener('abort', onAbort);
        this.pendingDials.delete(giveUp);
        outcome();
      };
      const onAbort = () => settle(() => reject(new AbortedError('memory dial')));
      const giveUp = () => settle(() => reject(new TransportUnavailableError(this.name, 'the transport stopped while dialing')));
      const deadline = clock.setTimer(timeoutMs, () => settle(() => reject(new TimeoutError('memory dial', timeoutMs))));
      const cancelConnect = this.options.network.connect(this.endpoint, to, (outcome) => {
        if (outcome.kind === 'refused') {
          settle(() => reject(new DialError(DialErrorCode.ConnectionRefused, `nothing listens at ${to} on the memory network`, { zone: this.zone })));
          return;
        }
        settle(() => resolve({ stream: this.own(outcome.stream), direction: 'outbound', remote: address }));
      }, this.options.link);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pendingDials.add(giveUp);
    });
  }

  async listen(onConnection: (connection: TransportConnection) => void, listenOptions: ListenOptions = {}): Promise<Listener> {
    if (this.stopped) throw new TransportUnavailableError(this.name, 'the transport is stopped');
    if (listenOptions.signal?.aborted) throw new AbortedError('memory listen');
    const { network, host, port } = this.options;
    const accept = (stream: MemoryStream, from: string) => {
      const separator = from.lastIndexOf(':');
      const remote: PeerAddress = { zone: this.zone, host: from.slice(0, separator), port: Number(from.slice(separator + 1)) };
      onConnection({ stream: this.own(stream), direction: 'inbound', remote });
    };
    if (!network.listen(this.endpoint, accept)) {
      throw new ListenError('ADDRESS_IN_USE', `memory endpoint ${this.endpoint} is already listening`, { zone: this.zone, endpoint: this.endpoint });
    }
    const listener: Listener = {
      addresses: [endpointOf(host, port)],
      close: async () => {
        network.unlisten(this.endpoint, accept);
        this.listeners.delete(listener);
      },
    };
    this.listeners.add(listener);
    return listener;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const giveUp of [...this.pendingDials]) giveUp();
    for (const listener of [...this.listeners]) await listener.close();
    for (const stream of [...this.streams]) stream.destroy();
  }

  status(): TransportStatus {
    return this.stopped ? { healthy: false, reason: 'stopped' } : { healthy: true };
  }

  private own(stream: MemoryStream): MemoryStream {
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    return stream;
  }
}
