import { DEFAULT_NOISE, SeededRng, type CarrierOpener, type CarrierPoolConfig, type RelayEngineConfig } from '@veilnode/node/relay';
import { PeerCarrier, type CarrierConnection } from '@veilnode/node/peer';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import { EngineNetwork, type EngineNode } from './engine-network';
import { TOR_LINK, relayFromPublicPeer, toTorCells, type CapturedFrame, type CaptureParams } from './noise-capture';
import { txBlob } from './run-mode';

/** One of the origin's anonymity-zone connections as a passive observer of its circuit records it. */
export interface ObservedConnection {
  /** A private-broadcast carrier (else an ordinary connection of the relay engine). */
  readonly carrier: boolean;
  readonly openedAt: number;
  /** Undefined: still open when the capture ended. */
  closedAt: number | undefined;
  /** Frames from the origin, absolute virtual times, cell-rounded sizes. */
  readonly frames: CapturedFrame[];
  /** Arrival times of the frames that completed one of the origin's own txs (its covert slot or stem 2002). */
  readonly carried: number[];
}

export interface CarrierCaptureResult {
  readonly connections: ObservedConnection[];
  /** The observed span: [start, end). */
  readonly start: number;
  readonly end: number;
  /** The origin's anonymity-zone bytes (cells) over the seconds its connections were open. */
  readonly bytesPerConnectionSecond: number;
  /** The origin's anonymity-zone bytes (cells) per second, all connections together. */
  readonly nodeBytesPerSecond: number;
  /** The origin's anonymity-zone connections (carriers and ordinary) open at once, time-averaged. */
  readonly meanOpenConnections: number;
  readonly submitted: number;
  /** Local txs the origin's relay engine still had not seen echoed at the end (`privateBroadcastStatus`). */
  readonly undelivered: number;
  /** Per local tx that left, ms from its submission to its first frame on a circuit (waiting for a carrier plus its noise slot). */
  readonly firstSendDelays: number[];
}

/** A sender who is silent for `silenceWindows` windows, then submits `txs` txs within one window, and again. */
export interface CarrierBurst {
  readonly txs: number;
  readonly silenceWindows: number;
}

export interface CarrierCaptureParams extends Omit<CaptureParams, 'noise'> {
  /** The origin's carrier pool settings (default: the node's). */
  readonly pool?: Partial<CarrierPoolConfig>;
  /** Bursts instead of one tx in a `txShare` of the windows. */
  readonly burst?: CarrierBurst;
}

/** Listeners a carrier can reach; more than the pool holds, so each opening has free peers to draw from. */
const CARRIER_PEERS = 16;
const PUBLIC: RelayEngineConfig['zones'][number] = { name: 'public', anonymity: false, noise: false, targetOutbound: 12 };
const TOR: RelayEngineConfig['zones'][number] = { name: 'tor', anonymity: true, noise: true, targetOutbound: 2 };

/**
 * The carriers counterpart of `captureAnonymityLink`: origin A runs the real relay engine with
 * private broadcast on its Tor zone (noise on, 2 ordinary outbound connections rotated after
 * U(8, 12) min, the real CarrierPool and EchoTracker behind `RelayEngine`), and each carrier is
 * the node's real `PeerCarrier` (one 3072-byte frame per 10–15 s tick from its opening) over a
 * simulated circuit to one of 16 anonymity nodes. Those nodes and A's ordinary peers are real
 * engines linked to a public node P, so a tx comes back to A as in the network (peer → cross-zone
 * delay → P → A) and counts as echoed. Windows, tx draws and relayed background are those of
 * `captureAnonymityLink`; every connection of A's on the Tor zone is recorded.
 */
export async function captureCarrierLinks(params: CarrierCaptureParams): Promise<CarrierCaptureResult> {
  const clock = new VirtualClock();
  const connections = new Map<string, ObservedConnection>();
  /** Submission time of each local tx until its first frame leaves. */
  const submittedAt = new Map<string, number>();
  const firstSendDelays: number[] = [];
  const localTxs = new Set<string>();
  const observe = (delivery: { from: EngineNode; zone: string; connection: string; at: number; bytes: number; txs: readonly string[] }) => {
    const c = delivery.from === a && delivery.zone === TOR.name ? connections.get(delivery.connection) : undefined;
    if (c === undefined) return;
    c.frames.push({ at: delivery.at, bytes: toTorCells(delivery.bytes) });
    if (delivery.txs.some((id) => localTxs.has(id))) c.carried.push(delivery.at);
    for (const id of delivery.txs) {
      const at = submittedAt.get(id);
      if (at === undefined) continue;
      firstSendDelays.push(delivery.at - at);
      submittedAt.delete(id);
    }
  };
  const dialRng = new SeededRng(params.seed ^ 0xd1a1);
  const network = new EngineNetwork(clock, {
    link: () => TOR_LINK,
    onDelivery: observe,
    onDial: (node, zone) => {
      if (node === a && zone === TOR.name) connectObserved(drawPeer(dialRng), false);
    },
  });
  const a = network.node('A', { zones: [PUBLIC, TOR], privateBroadcast: { fanout: 2, pool: params.pool } }, params.seed * 31);
  const peers = Array.from({ length: CARRIER_PEERS }, (_, i) => network.node(`D${i}`, { zones: [PUBLIC, TOR], rotation: false }, params.seed * 31 + 4 + i));
  const p = network.node('P', { zones: [PUBLIC] }, params.seed * 31 + 3);
  const drawPeer = (rng: SeededRng) => {
    const free = peers.filter((peer) => !network.linked(TOR.name, a, peer));
    const from = free.length > 0 ? free : peers;
    return from[rng.int(from.length)];
  };
  // Connections are keyed by the listener's id of them: the one a Delivery names.
  const connectObserved = (peer: EngineNode, carrier: boolean, onClosed?: () => void): string => {
    const ref: { c?: ObservedConnection } = {};
    const id = network.connect(TOR.name, a, peer, {
      dialerEngine: !carrier,
      onClosed: () => {
        if (ref.c !== undefined) ref.c.closedAt ??= clock.now();
        onClosed?.();
      },
    });
    ref.c = { carrier, openedAt: clock.now(), closedAt: undefined, frames: [], carried: [] };
    connections.set((a.links.get(id) as { peerConnection: string }).peerConnection, ref.c);
    return id;
  };
  const carrierRng = new SeededRng(params.seed ^ 0xca77);
  const opener: CarrierOpener = {
    open: (zone) => {
      let closed!: () => void;
      const connection: CarrierConnection = {
        id: '',
        closed: new Promise((resolve) => (closed = () => resolve({ reason: 'closed' }))),
        sendFrame: (frame) => network.transmit(a, connection.id, { kind: 'frame', zone, frame }),
        sendTransactions: (blobs, { fluff }) => network.transmit(a, connection.id, { kind: 'txs', zone, txs: blobs, fluff }),
        close: () => network.disconnect(a, connection.id),
      };
      (connection as { id: string }).id = connectObserved(drawPeer(carrierRng), true, () => closed());
      return Promise.resolve(new PeerCarrier(connection, zone, { builder: network.slotBuilder, clock, rng: carrierRng, timing: DEFAULT_NOISE }));
    },
  };
  for (const node of [...peers, p]) node.boot();
  a.boot(undefined, new Map([[TOR.name, opener]]));
  for (const node of [a, ...peers]) network.connect(PUBLIC.name, node, p);
  const fromP = [...a.links.keys()][0];
  for (const peer of [drawPeer(dialRng), drawPeer(dialRng)]) connectObserved(peer, false);
  // Carrier openings and closes settle in promise callbacks: let them run between short clock steps.
  const runUntil = async (target: number) => {
    while (clock.now() < target) {
      clock.runUntil(Math.min(target, clock.now() + 1_000));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  // A warm-up of one carrier lifetime, so the pool runs in its steady state when windows begin.
  const start = 12 * 60_000;
  await runUntil(start);
  const draw = new SeededRng(params.seed ^ 0x5eed);
  relayFromPublicPeer(network, a, fromP, params);
  let submitted = 0;
  const txsIn = (w: number) => {
    if (params.burst === undefined) return draw.float() < (params.txShare ?? 0.5) ? 1 : 0;
    return w % (params.burst.silenceWindows + 1) === params.burst.silenceWindows ? params.burst.txs : 0;
  };
  for (let w = 0; w < params.windows; w++) {
    const windowStart = start + w * params.windowMs;
    const offsets = Array.from({ length: txsIn(w) }, () => (draw.float() * (params.windowMs * 2)) / 3).sort((x, y) => x - y);
    for (const [i, offset] of offsets.entries()) {
      await runUntil(windowStart + offset);
      const blob = txBlob(params.seed, w * 16 + i, params.txBytes);
      localTxs.add(network.txIds.of(blob));
      submittedAt.set(network.txIds.of(blob), clock.now());
      await a.engine.submitLocal(blob);
      submitted++;
    }
    await runUntil(windowStart + params.windowMs);
  }
  const end = clock.now();
  const status = a.engine.privateBroadcastStatus();
  for (const node of [a, ...peers, p]) node.engine.stop();
  let bytes = 0;
  let seconds = 0;
  for (const c of connections.values()) {
    bytes += c.frames.filter((f) => f.at >= start && f.at < end).reduce((n, f) => n + f.bytes, 0);
    seconds += Math.max(0, Math.min(c.closedAt ?? end, end) - Math.max(c.openedAt, start)) / 1000;
  }
  return {
    connections: [...connections.values()],
    start,
    end,
    bytesPerConnectionSecond: bytes / seconds,
    nodeBytesPerSecond: bytes / ((end - start) / 1000),
    meanOpenConnections: seconds / ((end - start) / 1000),
    submitted,
    undelivered: status.filter((s) => !s.delivered).length,
    firstSendDelays,
  };
}
