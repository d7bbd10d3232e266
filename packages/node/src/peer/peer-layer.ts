import { randomBytes } from 'node:crypto';
import { ThrottledStream, type PeerRateLimits } from '../net/throttled-stream';
import { outcomeOf, type PeerEvents } from './peer-events';
import { type PeerAddress, AbortedError, VeilnodeError, type Logger, type NetworkName, SystemClock, type Clock, type TransportConnection } from '@veilnode/plugin-api';
import type { ConnectionHandler, ZoneConnection } from './connection-handler';
import type { ConnectionClose } from '../relay/rejection-tracker';
import { ReceiveBudget } from '@veilnode/protocol';
import { IntervalSummaryLog } from '../logging/interval-summary-log';
import type { ZonePeerStore } from '../peerstore/zone-peer-store';
import { ChainState } from './chain-state';
import { PeerConnection, type PeerTimeouts } from './peer-connection';
import type { ConnectPeer } from './outbound-maintainer';
import { NODE_RECEIVE_BUDGET_BYTES } from './receive-limits';
import { sourceGroup } from './source-group';
import { connectionClose } from './connection-close';
import type { PeerGate } from './peer-gate';
import { PeerRequestLimiter } from './peer-request-limits';
import type { TxSink } from './tx-sink';

/** Per-zone state the peer layer needs. */
export interface PeerZoneContext {
  /** The zone's address book (filled from its handshakes and timed syncs). */
  readonly store?: ZonePeerStore;
  /** Our listening port in this zone (announced only where the zone policy allows). */
  readonly listenPort?: number;
}

export interface PeerLayerOptions {
  readonly network: NetworkName;
  readonly logger: Logger;
  /** Where received txs go; set later with setTxSink when the relay engine starts after us. */
  readonly txSink?: TxSink;
  readonly zoneContext?: (zone: string) => PeerZoneContext | undefined;
  /** Our clearnet peer_id; random per run by default (anonymity zones use their policy's fixed id). */
  readonly localPeerId?: bigint;
  readonly timeouts?: Partial<PeerTimeouts>;
  /** Pad every NOTIFY_NEW_TRANSACTIONS to a multiple of 1024 bytes (`--pad-transactions`). */
  readonly padTransactions?: boolean;
  /** Bytes all connections together may hold for large bodies still arriving; default NODE_RECEIVE_BUDGET_BYTES. */
  readonly receiveBudgetBytes?: number;
  /** Times the summary of failed handshakes; default the system clock. */
  readonly clock?: Clock;
  /** The node's shared upload/download budgets (--limit-rate-*); every peer stream is held to them. */
  readonly rateLimits?: PeerRateLimits;
  /** Dial, handshake and noise outcomes for the node's metrics. */
  readonly events?: PeerEvents;
  /** Banned and backed-off peers: refused before a dial and on arrival; flooders are backed off here. */
  readonly gate?: PeerGate;
}

/** Connections that failed before their handshake are logged as one summary line per this interval. */
export const HANDSHAKE_FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * Told when a connection becomes ready (handshake done), when its peer reports another chain
 * height (timed sync), and when a ready one closes: the relay engine, which picks stems and noise
 * channels only among peers that are not behind the chain.
 */
export interface ConnectionObserver {
  /** `height`: the chain height the peer reported in its handshake. */
  onConnectionUp(zone: string, connectionId: string, direction: 'inbound' | 'outbound', height: number): void;
  /** A ready connection's peer reported a height other than the last one told. */
  onConnectionHeight(zone: string, connectionId: string, height: number): void;
  /** `close`: whether the peer ended it, and for outbound ones an opaque key of the peer. */
  onConnectionDown(zone: string, connectionId: string, close: ConnectionClose): void;
  /** A private-broadcast carrier closed (carriers are never reported up: they are no stem or noise channel). */
  onCarrierDown?(zone: string, connectionId: string): void;
}

/**
 * The Levin peer layer: the kernel hands it every transport connection (`handle`), it runs a
 * PeerConnection on each and keeps the ready ones per zone, so the relay can address them by
 * opaque id and the outbound maintainer can wait for the handshake of a connection it dialled.
 */
export class PeerLayer implements ConnectionHandler {
  readonly localPeerId: bigint;
  /** Shared by every connection of every zone. */
  readonly receiveBudget: ReceiveBudget;
  private readonly byZone = new Map<string, Map<string, PeerConnection>>();
  /** Handshaken private-broadcast carriers by id, kept apart from `byZone`: the relay port cannot address them. */
  private readonly carriers = new Map<string, PeerConnection>();
  private readonly chains = new Map<string, ChainState>();
  /** The PeerConnection run on each transport connection handed to handle(), for the dial that opened it. */
  private readonly attached = new WeakMap<TransportConnection, PeerConnection>();
  private readonly logger: Logger;
  private readonly handshakeFailures: IntervalSummaryLog;
  private readonly clock: Clock;
  private txSink?: TxSink;
  private observer?: ConnectionObserver;
  private counter = 0;

  constructor(private readonly options: PeerLayerOptions) {
    this.localPeerId = options.localPeerId ?? randomBytes(8).readBigUInt64LE(0);
    this.receiveBudget = new ReceiveBudget(options.receiveBudgetBytes ?? NODE_RECEIVE_BUDGET_BYTES);
    this.logger = options.logger;
    this.clock = options.clock ?? new SystemClock();
    this.handshakeFailures = new IntervalSummaryLog({
      logger: options.logger,
      message: 'peer connections closed before their handshake',
      intervalMs: HANDSHAKE_FAILURE_LOG_INTERVAL_MS,
      clock: this.clock,
    });
    this.txSink = options.txSink;
  }

  /**
   * The chain top we claim on `zone`, learnt from that zone's peers only: a shared one would let
   * a peer of one zone plant a unique top id and spot it in our claims on another zone, linking
   * our identities there.
   */
  chain(zone: string): ChainState {
    let chain = this.chains.get(zone);
    if (!chain) this.chains.set(zone, (chain = new ChainState(this.options.network)));
    return chain;
  }

  setTxSink(sink: TxSink): void {
    this.txSink = sink;
  }

  setConnectionObserver(observer: ConnectionObserver): void {
    this.observer = observer;
  }

  /** The kernel's ConnectionHandler hook. */
  handle(info: ZoneConnection): void {
    this.attach(info);
  }

  /** The kernel's ConnectionHandler hook: banned and backed-off peers are neither dialled nor let in. */
  refusal(_zone: string, remote: PeerAddress): string | undefined {
    return this.options.gate?.refusal(remote);
  }

  /** Runs a PeerConnection on a transport connection and tracks it until it closes. */
  attach(info: ZoneConnection): PeerConnection {
    const context = this.options.zoneContext?.(info.zone) ?? {};
    const id = `${info.zone}-${++this.counter}`;
    /** The height last told to the observer; undefined until the connection is up. */
    let toldHeight: bigint | undefined;
    const group = sourceGroup(info.connection.remote, id);
    const peer = new PeerConnection({
      id,
      stream: this.options.rateLimits === undefined ? info.connection.stream : new ThrottledStream(info.connection.stream, this.options.rateLimits),
      direction: info.connection.direction,
      zone: info.zone,
      policy: info.policy,
      network: this.options.network,
      chain: this.chain(info.zone),
      localPeerId: this.localPeerId,
      listenPort: context.listenPort,
      peerStore: context.store,
      txSink: { receive: (batch) => this.txSink?.receive({ ...batch, sourceGroup: group }) },
      onSyncData: ({ current_height: height }) => {
        if (toldHeight === undefined || height === toldHeight) return;
        toldHeight = height;
        this.observer?.onConnectionHeight(info.zone, id, Number(height));
      },
      logger: this.logger,
      remote: info.remote,
      timeouts: this.options.timeouts,
      padTransactions: this.options.padTransactions,
      receiveBudget: this.receiveBudget,
      requestLimiter: new PeerRequestLimiter(this.clock),
    });
    const flooder = info.connection.remote;
    // an anonymity zone's inbound peers all arrive from the local daemon: backing that off would shut out every one of them
    if (flooder !== undefined && (info.connection.direction === 'outbound' || !info.policy.anonymity)) {
      void peer.closed.then(({ error }) => {
        if (error?.code === 'PEER_REQUEST_FLOOD') this.options.gate?.backOff(flooder);
      });
    }
    const outboundRemote = info.connection.direction === 'outbound' ? info.connection.remote : undefined;
    this.attached.set(info.connection, peer);
    peer.ready.then(
      (handshake) => {
        if (info.carrier === true) return this.carrierUp(info.zone, peer);
        let zone = this.byZone.get(info.zone);
        if (!zone) this.byZone.set(info.zone, (zone = new Map()));
        zone.set(id, peer);
        // the latest report: a timed sync may have come in before this promise callback ran
        toldHeight = peer.peerSyncData?.current_height ?? handshake.syncData.current_height;
        this.observer?.onConnectionUp(info.zone, id, peer.direction, Number(toldHeight));
        this.options.events?.handshaken?.(info.zone, peer.direction, 'ok');
        this.options.events?.connectionUp?.(info.zone, peer.direction);
        void peer.closed.then(({ reason }) => {
          this.byZone.get(info.zone)?.delete(id);
          this.observer?.onConnectionDown(info.zone, id, connectionClose(reason, outboundRemote));
          this.options.events?.connectionDown?.(info.zone, peer.direction);
        });
      },
      (err: unknown) => {
        this.handshakeFailures.count(`${info.zone}:${failureCode(err)}`);
        this.options.events?.handshaken?.(info.zone, info.connection.direction, outcomeOf(err));
      },
    );
    return peer;
  }

  /**
   * A ConnectPeer for the OutboundMaintainer on top of a dial that hands its connection to
   * handle() and returns it (the kernel's ZoneRuntime.dial): resolves once that connection's
   * handshake is done (PeerConnection bounds it by its own timeout). Aborting `signal` stops
   * the wait, not the connection.
   */
  connector(dial: (address: PeerAddress, signal: AbortSignal) => Promise<TransportConnection>): ConnectPeer {
    return async (address, signal) => {
      const peer = await this.dialAndHandshake(address, signal, dial);
      return { peerId: peer.peer?.peerId ?? 0n, rpcPort: peer.peer?.nodeData.rpc_port ?? 0, closed: peer.closed };
    };
  }

  /**
   * Dials a private-broadcast carrier (`dial` hands it to handle() marked as one) and resolves
   * with its PeerConnection once handshaken. It is kept out of `connections()` and the relay
   * port, and never reported to the observer as up.
   */
  connectCarrier(address: PeerAddress, signal: AbortSignal, dial: (address: PeerAddress, signal: AbortSignal) => Promise<TransportConnection>): Promise<PeerConnection> {
    return this.dialAndHandshake(address, signal, dial);
  }

  /** Remote texts of the zone's handshaken connections and carriers (what a carrier's peer is drawn outside of). */
  remotes(zone: string): Set<string> {
    const peers = [...(this.byZone.get(zone)?.values() ?? []), ...[...this.carriers.values()].filter((p) => p.zone === zone)];
    return new Set(peers.map((p) => p.remote).filter((r): r is string => r !== undefined));
  }

  /** Dials through the kernel (which hands the connection to handle()) and waits for that connection's handshake. */
  private async dialAndHandshake(address: PeerAddress, signal: AbortSignal, dial: (address: PeerAddress, signal: AbortSignal) => Promise<TransportConnection>): Promise<PeerConnection> {
    const connection = await dial(address, signal);
    const peer = this.attached.get(connection);
    if (peer === undefined) {
      connection.stream.destroy();
      throw new VeilnodeError('CONNECTION_NOT_HANDLED', `the dialled ${address.zone} connection never reached the peer layer`, { zone: address.zone });
    }
    await untilAborted(peer.ready, signal, () => new AbortedError('outbound handshake', { zone: address.zone }));
    return peer;
  }

  private carrierUp(zone: string, peer: PeerConnection): void {
    this.carriers.set(peer.id, peer);
    this.options.events?.handshaken?.(zone, peer.direction, 'ok');
    void peer.closed.then(() => {
      this.carriers.delete(peer.id);
      this.observer?.onCarrierDown?.(zone, peer.id);
    });
  }

  /** Ready connections of a zone. */
  connections(zone: string): PeerConnection[] {
    return [...(this.byZone.get(zone)?.values() ?? [])];
  }

  connectionIds(zone: string, exceptConnectionId?: string): string[] {
    return [...(this.byZone.get(zone)?.keys() ?? [])].filter((id) => id !== exceptConnectionId);
  }

  sendTransactions(zone: string, connectionId: string, blobs: readonly Uint8Array[], options: { readonly fluff: boolean }): boolean {
    return this.byZone.get(zone)?.get(connectionId)?.sendTransactions(blobs, options) ?? false;
  }

  /** Writes a ready-made frame (noise slot, fragment) on one connection; false when it is gone. */
  sendFrame(zone: string, connectionId: string, frame: Uint8Array): boolean {
    return this.byZone.get(zone)?.get(connectionId)?.sendFrame(frame) ?? false;
  }

  /** Closes one connection (e.g. the relay engine rotating it out). */
  close(zone: string, connectionId: string, reason: string): void {
    const carrier = this.carriers.get(connectionId);
    (this.byZone.get(zone)?.get(connectionId) ?? (carrier?.zone === zone ? carrier : undefined))?.close(reason);
  }

  /** Closes every connection. */
  closeAll(reason = 'shutdown'): void {
    for (const zone of this.byZone.values()) for (const peer of zone.values()) peer.close(reason);
    for (const peer of this.carriers.values()) peer.close(reason);
    this.byZone.clear();
    this.carriers.clear();
    this.handshakeFailures.flush();
  }
}

/** The code of what ended a handshake: the underlying error's when the failure wraps one (a Levin error, a timeout). */
function failureCode(err: unknown): string {
  if (!(err instanceof VeilnodeError)) return 'unknown';
  return err.cause instanceof VeilnodeError ? err.cause.code : err.code;
}

/** `work`, or a rejection with `reason()` as soon as `signal` aborts (work itself goes on). */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal, reason: () => Error): Promise<T> {
  if (signal.aborted) throw reason();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort as () => void);
  }
}
