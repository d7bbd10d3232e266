import { SystemClock, type Clock } from '@veilnode/plugin-api';
import { INSTANT_LINK, LinkPipe, type LinkModel } from './link-model';
import { DEFAULT_WINDOW_BYTES, MemoryStream } from './memory-stream';

/** Accepts the listener's end of a new connection, with the dialer's endpoint name. */
export type MemoryAcceptor = (stream: MemoryStream, from: string) => void;

export interface MemoryNetworkOptions {
  /** Drives every delay; a VirtualClock makes the whole network run in virtual time. */
  readonly clock?: Clock;
  /** Link model of a connection from `from` to `to` (both directions use it unless overridden). */
  readonly link?: (from: string, to: string) => LinkModel;
  readonly windowBytes?: number;
}

export type ConnectOutcome =
  | { readonly kind: 'connected'; readonly stream: MemoryStream }
  | { readonly kind: 'refused' };

/**
 * A shared in-process network: endpoints (any unique name, e.g. `host:port`) listen, others
 * connect to them; each connection is a pair of MemoryStreams whose directions have their own
 * LinkPipe. Connecting takes one round trip of the link; a black-holed endpoint never answers.
 * Named networks (`MemoryNetwork.shared`) let nodes built from config files in one process
 * find each other.
 */
export class MemoryNetwork {
  private static readonly registry = new Map<string, MemoryNetwork>();
  readonly clock: Clock;
  private readonly listeners = new Map<string, MemoryAcceptor>();
  private readonly blackholes = new Set<string>();
  private readonly linkOf: (from: string, to: string) => LinkModel;
  private readonly windowBytes: number;

  constructor(options: MemoryNetworkOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.linkOf = options.link ?? (() => INSTANT_LINK);
    this.windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
  }

  /** The process-wide network of that name (created on first use, real time, instant links). */
  static shared(name: string): MemoryNetwork {
    let network = MemoryNetwork.registry.get(name);
    if (network === undefined) MemoryNetwork.registry.set(name, (network = new MemoryNetwork()));
    return network;
  }

  /** Returns false when the endpoint is already taken. */
  listen(endpoint: string, accept: MemoryAcceptor): boolean {
    if (this.listeners.has(endpoint)) return false;
    this.listeners.set(endpoint, accept);
    return true;
  }

  unlisten(endpoint: string, accept: MemoryAcceptor): void {
    if (this.listeners.get(endpoint) === accept) this.listeners.delete(endpoint);
  }

  /** Dials to this endpoint are swallowed: they never connect nor fail (a dead proxy, a firewall). */
  blackhole(endpoint: string): void {
    this.blackholes.add(endpoint);
  }

  /**
   * Opens a connection from `from` to `to` after one round trip; `onOutcome` is not called for a
   * black-holed endpoint. `model` (the dialer's own link setting) overrides the network's for
   * both directions. Returns a cancel function (the caller gave up: nothing is opened).
   */
  connect(from: string, to: string, onOutcome: (outcome: ConnectOutcome) => void, model?: LinkModel): () => void {
    if (this.blackholes.has(to)) return () => undefined;
    const forward = model ?? this.linkOf(from, to);
    const backward = model ?? this.linkOf(to, from);
    const timer = this.clock.setTimer(forward.latencyMs + backward.latencyMs, () => {
      const accept = this.listeners.get(to);
      if (accept === undefined) {
        onOutcome({ kind: 'refused' });
        return;
      }
      const [outbound, inbound] = MemoryStream.pair(this.clock, new LinkPipe(forward), new LinkPipe(backward), this.windowBytes);
      accept(inbound, from);
      onOutcome({ kind: 'connected', stream: outbound });
    });
    return () => timer.cancel();
  }
}
