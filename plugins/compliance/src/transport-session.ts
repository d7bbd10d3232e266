import type { DialOptions, Listener, PeerAddress, Transport, TransportConnection } from '@veilnode/plugin-api';
import { ConnectionInbox } from './connection-inbox';
import { StreamFaults } from './stream-faults';
import type { TransportTestbed } from './transport-testbed';

export interface ConnectedPair {
  readonly address: PeerAddress;
  readonly outbound: TransportConnection;
  readonly inbound: TransportConnection;
}

/**
 * One test's view of a testbed: starts and stops its transports, remembers every stream it
 * saw so nothing survives the test, and opens connected stream pairs.
 */
export class TransportSession {
  /** Unhandled stream errors; run test bodies with `faults.guard()`. */
  readonly faults = new StreamFaults();
  readonly inbox = new ConnectionInbox((connection) => this.faults.watch(connection.stream, 'accepted'));
  readonly outbound: TransportConnection[] = [];
  readonly dialTimeoutMs: number;
  readonly ioTimeoutMs: number;
  private listener?: Listener;

  constructor(readonly bed: TransportTestbed) {
    this.dialTimeoutMs = bed.dialTimeoutMs ?? 5000;
    this.ioTimeoutMs = bed.ioTimeoutMs ?? 10000;
  }

  get transport(): Transport {
    return this.bed.transport;
  }

  get dialer(): Transport {
    return this.bed.dialer ?? this.bed.transport;
  }

  /** True when the testbed can open a connection to itself. */
  get connectable(): boolean {
    return this.dialer.capabilities.dial && this.transport.capabilities.listen;
  }

  async start(): Promise<void> {
    await this.transport.start?.();
    if (this.dialer !== this.transport) await this.dialer.start?.();
  }

  /**
   * The transport's listener, once its transport reports healthy: a listener may resolve before
   * its daemon accepts for it (an I2P destination whose SAM session is still being created).
   */
  async listen(): Promise<Listener> {
    if (this.listener === undefined) {
      this.listener = await this.transport.listen(this.inbox.accept, this.bed.listenOptions);
      await this.healthy(this.transport);
    }
    return this.listener;
  }

  private async healthy(transport: Transport): Promise<void> {
    const deadline = Date.now() + this.dialTimeoutMs;
    for (let status = transport.status?.(); status !== undefined && !status.healthy; status = transport.status?.()) {
      if (Date.now() > deadline) throw new Error(`the listening transport stayed unhealthy for ${this.dialTimeoutMs} ms: ${status.reason ?? 'no reason given'}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  addressOf(listener: Listener): PeerAddress {
    if (!this.bed.addressOf) throw new Error('the testbed lists no addressOf(listener) although its transport can listen');
    return this.bed.addressOf(listener);
  }

  async dial(address: PeerAddress, options: DialOptions = {}): Promise<TransportConnection> {
    const connection = await this.dialer.dial(address, { timeoutMs: this.dialTimeoutMs, ...options });
    this.faults.watch(connection.stream, 'dialed');
    this.outbound.push(connection);
    return connection;
  }

  async openPair(): Promise<ConnectedPair> {
    const address = this.addressOf(await this.listen());
    const outbound = await this.dial(address);
    const inbound = await this.inbox.next(this.ioTimeoutMs);
    return { address, outbound, inbound };
  }

  /** Stop everything (idempotent), then destroy any stream the transports failed to close. */
  async stop(): Promise<void> {
    try {
      await this.listener?.close();
      await this.transport.stop();
      if (this.dialer !== this.transport) await this.dialer.stop();
    } finally {
      for (const connection of this.outbound) connection.stream.destroy();
      this.inbox.destroyAll();
    }
  }
}
