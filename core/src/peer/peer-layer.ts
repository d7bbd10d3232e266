import { randomBytes } from 'node:crypto';
import type { AddressCodec, PeerAddress } from '../api/address';
import { AbortedError } from '../api/errors';
import type { Logger } from '../api/logger';
import type { NetworkName, TransportConnection } from '../api/transport';
import type { ZonePolicy } from '../api/zone';
import type { ZonePeerStore } from '../peerstore/zone-peer-store';
import { ChainState } from './chain-state';
import { PeerConnection, type PeerTimeouts } from './peer-connection';
import type { TxBroadcaster } from './relay-to-all';
import type { TxSink } from './tx-sink';

/**
 * A connection as the kernel's ConnectionHandler receives it (structurally the kernel's
 * ZoneConnection): the transport's stream plus its zone's rules.
 */
export interface ZoneConnectionInfo {
  readonly zone: string;
  readonly policy: ZonePolicy;
  readonly codec: AddressCodec;
  readonly connection: TransportConnection;
  /** Zone-safe text of the remote for logs. */
  readonly remote: string | undefined;
}

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
  /** The chain top we claim; one per node by default. */
  readonly chain?: ChainState;
  readonly zoneContext?: (zone: string) => PeerZoneContext | undefined;
  /** Our clearnet peer_id; random per run by default (anonymity zones use their policy's fixed id). */
  readonly localPeerId?: bigint;
  readonly timeouts?: Partial<PeerTimeouts>;
}

interface OutboundWaiter {
  resolve(peer: PeerConnection): void;
  reject(error: unknown): void;
}

/**
 * The Levin peer layer: the kernel hands it every transport connection (`handle`), it runs a
 * PeerConnection on each and keeps the ready ones per zone, so the relay can address them by
 * opaque id and the outbound maintainer can wait for the handshake of a connection it dialled.
 */
export class PeerLayer implements TxBroadcaster {
  readonly chain: ChainState;
  readonly localPeerId: bigint;
  private readonly byZone = new Map<string, Map<string, PeerConnection>>();
  private readonly outboundWaiters = new Map<string, OutboundWaiter[]>();
  private readonly logger: Logger;
  private txSink?: TxSink;
  private counter = 0;

  constructor(private readonly options: PeerLayerOptions) {
    this.chain = options.chain ?? new ChainState(options.network);
    this.localPeerId = options.localPeerId ?? randomBytes(8).readBigUInt64LE(0);
    this.logger = options.logger;
    this.txSink = options.txSink;
  }

  setTxSink(sink: TxSink): void {
    this.txSink = sink;
  }

  /** The kernel's ConnectionHandler hook. */
  handle(info: ZoneConnectionInfo): void {
    this.attach(info);
  }

  /** Runs a PeerConnection on a transport connection and tracks it until it closes. */
  attach(info: ZoneConnectionInfo): PeerConnection {
    const context = this.options.zoneContext?.(info.zone) ?? {};
    const id = `${info.zone}-${++this.counter}`;
    const peer = new PeerConnection({
      id,
      stream: info.connection.stream,
      direction: info.connection.direction,
      zone: info.zone,
      policy: info.policy,
      codec: info.codec,
      network: this.options.network,
      chain: this.chain,
      localPeerId: this.localPeerId,
      listenPort: context.listenPort,
      peerStore: context.store,
      txSink: { receive: (batch) => this.txSink?.receive(batch) },
      logger: this.logger,
      remote: info.remote,
      timeouts: this.options.timeouts,
    });
    const remoteKey = info.connection.direction === 'outbound' && info.connection.remote ? key(info.connection.remote) : undefined;
    const waiter = remoteKey ? this.outboundWaiters.get(remoteKey)?.shift() : undefined;
    peer.ready.then(
      () => {
        let zone = this.byZone.get(info.zone);
        if (!zone) this.byZone.set(info.zone, (zone = new Map()));
        zone.set(id, peer);
        waiter?.resolve(peer);
      },
      (err: unknown) => waiter?.reject(err),
    );
    void peer.closed.then(() => this.byZone.get(info.zone)?.delete(id));
    return peer;
  }

  /**
   * Resolves with the PeerConnection of the next outbound connection to `address` once its
   * handshake completed (the caller dials through the kernel, which hands the stream to handle()).
   */
  awaitOutbound(address: PeerAddress, signal?: AbortSignal): Promise<PeerConnection> {
    const k = key(address);
    return new Promise<PeerConnection>((resolve, reject) => {
      const list = this.outboundWaiters.get(k) ?? [];
      const waiter: OutboundWaiter = {
        resolve: (p) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(p);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = (): void => {
        const i = list.indexOf(waiter);
        if (i >= 0) list.splice(i, 1);
        reject(new AbortedError('outbound handshake', { zone: address.zone }));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      list.push(waiter);
      this.outboundWaiters.set(k, list);
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

  /** Closes every connection. */
  closeAll(reason = 'shutdown'): void {
    for (const zone of this.byZone.values()) for (const peer of zone.values()) peer.close(reason);
  }
}

function key(address: PeerAddress): string {
  return `${address.zone}|${address.host}|${address.port}`;
}
