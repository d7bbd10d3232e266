import { createHash } from 'node:crypto';
import { Command } from '@veilnode/plugin-api';
import { LevinCovertSlotBuilder, MemoryTxStore, RelayEngine, SeededRng, type CarrierOpener, type LocalTxStore, type RelayEngineConfig, type RelayOutboundPort } from '@veilnode/node/relay';
import { LevinStreamDecoder, NewTransactions, encodeNotifyMessage } from '@veilnode/protocol';
import type { VirtualClock } from '@veilnode/plugin-api/testing';
import { LinkPipe, type LinkModel } from '@veilnode/memory';

/** Bytes of epee's length varint (2 low bits select 1, 2, 4 or 8 bytes). */
function epeeVarintBytes(n: number): number {
  return n < 64 ? 1 : n < 16_384 ? 2 : n < 1_073_741_824 ? 4 : 8;
}

/** One message arriving over a link, as the receiving node's socket sees it. */
export interface Delivery {
  readonly at: number;
  /** When the sender handed it to the link (at − sentAt = queueing + latency + transfer). */
  readonly sentAt: number;
  readonly zone: string;
  readonly from: EngineNode;
  readonly to: EngineNode;
  /** The receiving node's id of the connection (unique in the network: a redial gets a new one). */
  readonly connection: string;
  /** false: it arrived on a carrier at its owner, whose relay engine never sees it. */
  readonly reachesEngine: boolean;
  /** Bytes on the wire (the Levin frame). */
  readonly bytes: number;
  /** Tx ids carried by a complete 2002 (empty for noise and non-final fragments). */
  readonly txs: readonly string[];
  readonly fluff: boolean;
}

export interface EngineNetworkOptions {
  /** Link model of each direction of a connection on `zone`. */
  readonly link?: (zone: string, from: EngineNode, to: EngineNode) => LinkModel;
  /** Called for every arrival, before the receiving engine sees it. */
  readonly onDelivery?: (delivery: Delivery) => void;
  /** An engine's rotation asked for one more outbound connection on `zone`. */
  readonly onDial?: (node: EngineNode, zone: string) => void;
}

/** How `connect` wires one connection. */
export interface ConnectOptions {
  /**
   * false: the dialer's engine is not told of the connection and nothing arriving on it reaches
   * that engine (a private-broadcast carrier, owned by the carrier pool, not by the relay engine).
   */
  readonly dialerEngine?: boolean;
  /** Runs once when either side closes the connection. */
  readonly onClosed?: () => void;
}

interface Link {
  readonly zone: string;
  readonly peer: EngineNode;
  /** The id under which the peer knows this connection. */
  readonly peerConnection: string;
  readonly direction: 'inbound' | 'outbound';
  /** This node → peer. */
  readonly pipe: LinkPipe;
  /** Reassembles covert frames arriving at the peer over this link (created on first frame). */
  decoder: LevinStreamDecoder | undefined;
  /** false: arrivals on this link's far end do not reach the far node's engine. */
  readonly peerEngine: boolean;
  readonly onClosed: (() => void) | undefined;
}

/** Monero tx hash stand-in: sha256 of the blob, cached per blob object (engines pass blobs on unchanged). */
export class TxIds {
  private readonly cache = new WeakMap<Uint8Array, string>();

  readonly of = (blob: Uint8Array): string => {
    let id = this.cache.get(blob);
    if (id === undefined) {
      id = createHash('sha256').update(blob).digest('hex');
      this.cache.set(blob, id);
    }
    return id;
  };
}

export class EngineNode {
  engine!: RelayEngine;
  readonly links = new Map<string, Link>();

  constructor(
    readonly index: number,
    readonly name: string,
    private readonly network: EngineNetwork,
    private readonly config: RelayEngineConfig,
    private readonly seed: number,
  ) {}

  /** (Re)creates the engine, as a process start does, on the given store; `carriers`: private broadcast's openers per zone. */
  boot(store: LocalTxStore = new MemoryTxStore(), carriers?: ReadonlyMap<string, CarrierOpener>): void {
    const port: RelayOutboundPort = {
      send: (zone, conn, txs, { fluff }) => this.network.transmit(this, conn, { kind: 'txs', zone, txs, fluff }),
      sendNoiseSlot: (zone, conn, frame) => this.network.transmit(this, conn, { kind: 'frame', zone, frame }),
      dial: (zone) => this.network.dialRequested(this, zone),
      close: (_zone, conn) => this.network.disconnect(this, conn),
    };
    this.engine = new RelayEngine(this.config, {
      clock: this.network.clock,
      rng: new SeededRng(this.seed),
      port,
      store,
      txId: this.network.txIds.of,
      slotBuilder: this.network.slotBuilder,
      carriers,
    });
    this.engine.start();
    for (const [id, link] of this.links) {
      if (link.peer.links.get(link.peerConnection)?.peerEngine !== false) this.engine.onConnectionUp(link.zone, id, link.direction);
    }
  }
}

type Payload = { kind: 'txs'; zone: string; txs: readonly Uint8Array[]; fluff: boolean } | { kind: 'frame'; zone: string; frame: Uint8Array };

/**
 * Real relay engines wired to each other in one process on one virtual clock. Each direction of
 * a connection is a LinkPipe (the memory transport's latency/bandwidth model); tx messages are
 * counted at their Levin-encoded size, covert frames go through the real Levin decoder on the
 * receiving side. Used by the privacy simulator and by scenario tests.
 */
export class EngineNetwork {
  readonly nodes: EngineNode[] = [];
  readonly txIds = new TxIds();
  readonly slotBuilder = new LevinCovertSlotBuilder();
  /** Bytes put on all links so far. */
  bytesSent = 0;
  private readonly encodedSizes = new Map<number, number>();
  private connections = 0;

  constructor(
    readonly clock: VirtualClock,
    private readonly options: EngineNetworkOptions = {},
  ) {}

  node(name: string, config: RelayEngineConfig, seed: number): EngineNode {
    const node = new EngineNode(this.nodes.length, name, this, config, seed);
    this.nodes.push(node);
    return node;
  }

  /** `dialer` opens an outbound connection to `listener` on `zone`; both engines are told. */
  connect(zone: string, dialer: EngineNode, listener: EngineNode, options: ConnectOptions = {}): string {
    const seq = this.connections++;
    const out = `${zone}>${listener.name}#${seq}`;
    const inn = `${zone}<${dialer.name}#${seq}`;
    const dialerEngine = options.dialerEngine ?? true;
    const model = (from: EngineNode, to: EngineNode) => this.options.link?.(zone, from, to) ?? { latencyMs: 100, bytesPerSecond: 0 };
    const link = (peer: EngineNode, peerConnection: string, direction: 'inbound' | 'outbound', from: EngineNode, peerEngine: boolean): Link =>
      ({ zone, peer, peerConnection, direction, pipe: new LinkPipe(model(from, peer)), decoder: undefined, peerEngine, onClosed: options.onClosed });
    dialer.links.set(out, link(listener, inn, 'outbound', dialer, true));
    listener.links.set(inn, link(dialer, out, 'inbound', listener, dialerEngine));
    if (dialerEngine) dialer.engine.onConnectionUp(zone, out, 'outbound');
    listener.engine.onConnectionUp(zone, inn, 'inbound');
    return out;
  }

  /** Whether `a` has a connection to `b` on `zone`, in either direction. */
  linked(zone: string, a: EngineNode, b: EngineNode): boolean {
    for (const link of a.links.values()) if (link.zone === zone && link.peer === b) return true;
    return false;
  }

  /** `node` closes its connection `connection`: both ends forget it, messages still under way are lost. */
  disconnect(node: EngineNode, connection: string): void {
    const link = node.links.get(connection);
    if (link === undefined) return;
    const back = link.peer.links.get(link.peerConnection);
    node.links.delete(connection);
    link.peer.links.delete(link.peerConnection);
    if (back?.peerEngine !== false) node.engine.onConnectionDown(link.zone, connection);
    if (link.peerEngine) link.peer.engine.onConnectionDown(link.zone, link.peerConnection);
    link.onClosed?.();
  }

  dialRequested(node: EngineNode, zone: string): void {
    this.options.onDial?.(node, zone);
  }

  transmit(from: EngineNode, connection: string, payload: Payload): boolean {
    const link = from.links.get(connection);
    if (link === undefined) return false;
    const bytes = payload.kind === 'txs' ? this.encodedSize(payload.txs, payload.fluff) : payload.frame.length;
    this.bytesSent += bytes;
    const now = this.clock.now();
    this.clock.setTimer(link.pipe.schedule(bytes, now) - now, () => this.arrive(from, link, payload, bytes, now));
    return true;
  }

  private arrive(from: EngineNode, link: Link, payload: Payload, bytes: number, sentAt: number): void {
    const to = link.peer;
    if (!to.links.has(link.peerConnection)) return; // closed while under way
    const connection = link.peerConnection;
    if (payload.kind === 'txs') {
      const txs = payload.txs.map((blob) => ({ id: this.txIds.of(blob), blob }));
      this.options.onDelivery?.({ at: this.clock.now(), sentAt, zone: payload.zone, from, to, connection, reachesEngine: link.peerEngine, bytes, txs: txs.map((t) => t.id), fluff: payload.fluff });
      if (link.peerEngine) to.engine.receive({ zone: payload.zone, connectionId: link.peerConnection, txs, fluff: payload.fluff });
      return;
    }
    link.decoder ??= new LevinStreamDecoder();
    const messages = link.decoder.push(Buffer.from(payload.frame));
    const notify = messages.filter((m) => m.command === Command.NewTransactions).map((m) => NewTransactions.body.decode(m.body));
    this.options.onDelivery?.({
      at: this.clock.now(),
      sentAt,
      zone: payload.zone,
      from,
      to,
      connection,
      reachesEngine: link.peerEngine,
      bytes,
      txs: notify.flatMap((n) => n.txs.map((t) => this.txIds.of(t))),
      fluff: notify.some((n) => n.dandelionpp_fluff),
    });
    if (link.peerEngine) for (const n of notify) to.engine.onTransactionsReceived(payload.zone, link.peerConnection, n.txs, n.dandelionpp_fluff);
  }

  /**
   * Size of the NOTIFY_NEW_TRANSACTIONS frame carrying `txs`: the frame of as many empty blobs
   * (encoded once per count and flag) plus each blob's bytes and the growth of its length varint.
   */
  private encodedSize(txs: readonly Uint8Array[], fluff: boolean): number {
    const key = txs.length * 2 + (fluff ? 1 : 0);
    let base = this.encodedSizes.get(key);
    if (base === undefined) {
      base = encodeNotifyMessage(NewTransactions, { txs: txs.map(() => Buffer.alloc(0)), _: Buffer.alloc(0), dandelionpp_fluff: fluff }).length;
      this.encodedSizes.set(key, base);
    }
    let size = base;
    for (const tx of txs) size += tx.length + epeeVarintBytes(tx.length) - 1;
    return size;
  }
}
