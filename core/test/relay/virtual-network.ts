import { LevinStreamDecoder } from '../../src/levin';
import { NewTransactions } from '../../src/wire';
import { Command } from '../../src/api/zone';
import { LevinCovertSlotBuilder } from '../../src/noise/levin-covert-slot-builder';
import { RelayEngine } from '../../src/relay/relay-engine';
import type { RelayEngineConfig } from '../../src/relay/relay-engine-config';
import type { LocalTxStore } from '../../src/relay/local-tx-store';
import { MemoryTxStore } from '../../src/relay/local-tx-store';
import type { RelayOutboundPort } from '../../src/relay/relay-outbound-port';
import { SeededRng, type VirtualClock } from '../../src/time';
import { txIdOf } from './engine-harness';

/** One delivery on a virtual link, as an observer's socket would see it. */
export interface Delivery {
  readonly at: number;
  readonly zone: string;
  readonly from: string;
  readonly to: string;
  readonly bytes: number;
  /** Tx ids carried by a complete 2002 (empty for noise and non-final fragments). */
  readonly txs: string[];
  readonly fluff: boolean;
}

interface Link {
  readonly zone: string;
  readonly peer: VirtualNode;
  /** The id under which the peer knows this connection. */
  readonly peerConnection: string;
  /** Reassembles covert frames arriving at the peer over this link. */
  readonly decoder: LevinStreamDecoder;
}

export class VirtualNode {
  engine!: RelayEngine;
  readonly links = new Map<string, Link>();

  constructor(
    readonly name: string,
    private readonly network: VirtualNetwork,
    private readonly config: RelayEngineConfig,
    private readonly seed: number,
  ) {}

  /** (Re)creates the engine, as a process start does, on the given store. */
  boot(store: LocalTxStore = new MemoryTxStore()): void {
    const port: RelayOutboundPort = {
      send: (zone, conn, txs, { fluff }) => this.network.transmit(this, conn, { kind: 'txs', zone, txs, fluff }),
      sendNoiseSlot: (zone, conn, frame) => this.network.transmit(this, conn, { kind: 'frame', zone, frame }),
      dial: () => undefined,
      close: () => undefined,
    };
    this.engine = new RelayEngine(this.config, {
      clock: this.network.clock,
      rng: new SeededRng(this.seed),
      port,
      store,
      txId: txIdOf,
      slotBuilder: new LevinCovertSlotBuilder(),
    });
    this.engine.start();
    for (const [id, link] of this.links) this.engine.onConnectionUp(link.zone, id, this.network.direction(this, id));
  }
}

type Payload = { kind: 'txs'; zone: string; txs: readonly Uint8Array[]; fluff: boolean } | { kind: 'frame'; zone: string; frame: Uint8Array };

/**
 * Relay engines wired to each other in one process on one virtual clock: a privacy-simulator
 * in miniature. Links deliver after a fixed latency; covert frames go through the real Levin
 * decoder on the receiving side.
 */
export class VirtualNetwork {
  readonly deliveries: Delivery[] = [];
  private readonly directions = new Map<string, 'inbound' | 'outbound'>();

  constructor(
    readonly clock: VirtualClock,
    private readonly latencyMs = 100,
  ) {}

  node(name: string, config: RelayEngineConfig, seed: number): VirtualNode {
    return new VirtualNode(name, this, config, seed);
  }

  /** `dialer` opens an outbound connection to `listener` on `zone`. */
  connect(zone: string, dialer: VirtualNode, listener: VirtualNode): void {
    const out = `${zone}>${listener.name}`;
    const inn = `${zone}<${dialer.name}`;
    dialer.links.set(out, { zone, peer: listener, peerConnection: inn, decoder: new LevinStreamDecoder() });
    listener.links.set(inn, { zone, peer: dialer, peerConnection: out, decoder: new LevinStreamDecoder() });
    this.directions.set(`${dialer.name}/${out}`, 'outbound');
    this.directions.set(`${listener.name}/${inn}`, 'inbound');
    dialer.engine.onConnectionUp(zone, out, 'outbound');
    listener.engine.onConnectionUp(zone, inn, 'inbound');
  }

  direction(node: VirtualNode, connection: string): 'inbound' | 'outbound' {
    return this.directions.get(`${node.name}/${connection}`) ?? 'inbound';
  }

  transmit(from: VirtualNode, connection: string, payload: Payload): boolean {
    const link = from.links.get(connection);
    if (link === undefined) return false;
    this.clock.setTimer(this.latencyMs, () => this.arrive(from, link, payload));
    return true;
  }

  private arrive(from: VirtualNode, link: Link, payload: Payload): void {
    const base = { at: this.clock.now(), zone: payload.zone, from: from.name, to: link.peer.name };
    if (payload.kind === 'txs') {
      this.deliveries.push({ ...base, bytes: payload.txs.reduce((n, t) => n + t.length, 0), txs: payload.txs.map((t) => txIdOf(t)), fluff: payload.fluff });
      link.peer.engine.onTransactionsReceived(payload.zone, link.peerConnection, payload.txs, payload.fluff);
      return;
    }
    const messages = link.decoder.push(Buffer.from(payload.frame));
    const notify = messages.filter((m) => m.command === Command.NewTransactions).map((m) => NewTransactions.body.decode(m.body));
    this.deliveries.push({ ...base, bytes: payload.frame.length, txs: notify.flatMap((n) => n.txs.map((t) => txIdOf(t))), fluff: notify.some((n) => n.dandelionpp_fluff) });
    for (const n of notify) link.peer.engine.onTransactionsReceived(payload.zone, link.peerConnection, n.txs, n.dandelionpp_fluff);
  }
}
