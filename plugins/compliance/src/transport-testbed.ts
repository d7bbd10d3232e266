import type { ListenOptions, Listener, PeerAddress, Transport } from '@veilnode/plugin-api';

/**
 * What a transport author gives the compliance suite: a way to build a fresh, working
 * environment for one test (transports, plus any fake daemon they need) and to tear it down.
 */
export interface TransportFixture {
  /**
   * Build a fresh testbed for one test. The suite calls start() and stop() on its transports
   * itself. Share expensive daemons (a private Tor network) across calls; make fresh transports.
   */
  setup(): Promise<TransportTestbed>;
  /** Release what setup() made besides the transports (fake proxies, temp dirs). */
  teardown?(testbed: TransportTestbed): Promise<void>;
  /** Mocha timeout of each test and hook (default 60000 ms). */
  readonly testTimeoutMs?: number;
}

export interface TransportTestbed {
  /** The transport under test. It listens (when `capabilities.listen`) and, by default, dials. */
  readonly transport: Transport;
  /** The side that dials `transport`'s listener; defaults to `transport` itself. */
  readonly dialer?: Transport;
  /** Options the suite passes to `transport.listen()` (e.g. a loopback `bind`). */
  readonly listenOptions?: Omit<ListenOptions, 'signal'>;
  /** A dialable address of an open listener of `transport`. Required when it can listen. */
  addressOf?(listener: Listener): PeerAddress;
  /** An address of the zone where nothing listens: dialing it must fail quickly and cleanly. */
  readonly deadAddress: PeerAddress;
  /** An address whose dial never completes (e.g. a proxy that never answers), to test the dial deadline. */
  readonly unresponsiveAddress?: PeerAddress;
  /** True for anonymity zones: inbound remotes must never be IP addresses. */
  readonly anonymous?: boolean;
  /** Deadline the suite gives dials (default 5000 ms). */
  readonly dialTimeoutMs?: number;
  /** Deadline for one read/close step (default 10000 ms); raise it for slow networks such as Tor. */
  readonly ioTimeoutMs?: number;
  /**
   * True when a router in front of the listener answers dials on its behalf (i2pd grants SAM
   * STREAM CONNECT and SOCKS CONNECT before the far end is involved): a dial after
   * `listener.close()` may then succeed, but its stream must end without reaching the listener.
   */
  readonly routerAcceptsForClosedListener?: boolean;
  /**
   * True when a daemon on the path keeps accepting a stream's bytes however long the far end
   * reads nothing (Tor, i2pd: they acknowledge what arrives and queue it in memory), so no
   * payload size makes the writer stall: the paused-reader backpressure test is skipped, the
   * large-payload integrity test still runs. Say where it is set what was measured.
   */
  readonly pathBuffersUnboundedly?: boolean;
  /** Size of the large-payload tests; must exceed what the path buffers (default 16 MiB). */
  readonly largePayloadBytes?: number;
}
