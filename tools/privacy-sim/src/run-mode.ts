import { CarrierPool, EchoTracker, SeededRng, anonymityZone, type RelayEngineConfig, type RelayZoneConfig } from '@veilnode/node/relay';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import type { LinkModel } from '@veilnode/memory';
import { EngineNetwork, type Delivery, type EngineNode } from './engine-network';
import { HandoffLog, type OriginHandoffs } from './linkability';
import { ObservationLog, type ObservationColumns } from './observation-log';
import { simCarrierOpener } from './sim-carriers';
import type { Mode, SimParams } from './sim-params';
import { spyCount, type Topology } from './topology';

export const PUBLIC_ZONE = 'public';
export const ANONYMITY_ZONE = 'tor';

const PUBLIC: RelayZoneConfig = { name: PUBLIC_ZONE, anonymity: false, noise: false, targetOutbound: 12 };

/**
 * Per tx, the moments its path passes (Infinity: never): when the origin put it on an anonymity
 * link (its first copy to arrive) and when that copy arrived, and when any node first sent it
 * on the public zone. `publicStems` counts public-zone stem messages of the whole run.
 */
export interface TxMilestones {
  readonly anonymitySentAt: Float64Array;
  readonly anonymityArrivedAt: Float64Array;
  readonly publicSentAt: Float64Array;
  publicStems: number;
}

/** Sums over the origins' EchoTracker status at the end of a carriers run. */
export interface PrivateBroadcastTotals {
  readonly carriersUsed: number;
  readonly sent: number;
  readonly delivered: number;
  /** Txs that needed more than one sending round (their first carriers' sends were not echoed in time). */
  readonly resent: number;
}

/** What one mode produced; plain typed arrays so a worker thread can hand them back. */
export interface ModeRun {
  readonly mode: Mode;
  readonly observations: ObservationColumns;
  /** What the hidden-service adversary needs: each origin → node handoff on the anonymity zone, with its connection. */
  readonly handoffs: OriginHandoffs;
  /** First arrival of tx t at node v, at [v * txs + t] (submission time at the origin; Infinity = never). */
  readonly firstArrival: Float64Array;
  readonly submittedAt: Float64Array;
  readonly milestones: TxMilestones;
  readonly bytesSent: number;
  /** carriers mode: what the origins' EchoTrackers report at the end (zeros in other modes). */
  readonly privateBroadcast: PrivateBroadcastTotals;
  readonly deliveries: number;
  readonly wallMs: number;
}

/**
 * Link models: 10 Mbit/s public links with 20–150 ms one-way latency, 2 Mbit/s anonymity links
 * with 250–750 ms (a Tor circuit). Drawn per direction from the seed, identical in every mode.
 */
function linkModels(seed: number): (zone: string, from: EngineNode, to: EngineNode) => LinkModel {
  return (zone, from, to) => {
    const rng = new SeededRng(seed ^ (from.index * 7919 + to.index * 104_729 + (zone === PUBLIC_ZONE ? 0 : 1)));
    return zone === PUBLIC_ZONE
      ? { latencyMs: 20 + rng.float() * 130, bytesPerSecond: 1_250_000 }
      : { latencyMs: 250 + rng.float() * 500, bytesPerSecond: 250_000 };
  };
}

function engineConfig(mode: Mode, anonymous: boolean, params: SimParams): RelayEngineConfig {
  // A tx is mined (every node forgets it) this long after the node first saw it: it keeps the
  // engines' state, and the garbage collector's work, bounded by the txs still spreading.
  const poolLifetimeMs = params.minedAfterMs;
  if ((mode !== 'veilnode' && mode !== 'carriers') || !anonymous) return { zones: [PUBLIC], pool: { lifetimeMs: poolLifetimeMs } };
  const { noise, crossZoneDelayMaxMs } = params.veilnodeRelay;
  // Rotation on, as the node runs: outbound anonymity connections retire after 8–12 min.
  return {
    zones: [PUBLIC, { name: ANONYMITY_ZONE, anonymity: true, noise, targetOutbound: params.anonymityOutbound }],
    crossZoneDelay: { minMs: 0, maxMs: crossZoneDelayMaxMs },
    pool: { lifetimeMs: poolLifetimeMs },
  };
}

/** A distinct tx blob per index (its id is sha256 of the blob). */
export function txBlob(seed: number, index: number, bytes: number): Uint8Array {
  const rng = new SeededRng(seed * 1_000_003 + index);
  return Uint8Array.from({ length: bytes }, () => rng.int(256));
}

/**
 * Runs every node's real RelayEngine in one mode on the shared topology, in virtual time:
 * diffusion (the origin fluffs at once, as before Dandelion++), Dandelion++ as monerod runs it,
 * veilnode (origins send through their anonymity zone's selected outbound connections;
 * anonymity nodes cross txs to the public zone after their delay), or carriers (the same relay,
 * but every origin sends each local tx on carriers of its own from a warm CarrierPool, with an
 * EchoTracker re-sending until the tx comes back). Records what the largest adversary sets see.
 */
export async function runMode(mode: Mode, params: SimParams, topology: Topology): Promise<ModeRun> {
  const started = performance.now();
  const clock = new VirtualClock();
  const n = topology.nodes;
  const t = params.txs;
  const maxSpies = spyCount(n, Math.max(...params.spyShares));
  const txIndex = new Map<string, number>();
  const firstArrival = new Float64Array(n * t).fill(Number.POSITIVE_INFINITY);
  const observations = new ObservationLog();
  const never = () => new Float64Array(t).fill(Number.POSITIVE_INFINITY);
  const milestones: TxMilestones = { anonymitySentAt: never(), anonymityArrivedAt: never(), publicSentAt: never(), publicStems: 0 };
  const handoffs = new HandoffLog();
  const originHeard = new Uint8Array(t);
  const trackers = new Map<number, EchoTracker>();
  let deliveries = 0;
  const onDelivery = (d: Delivery) => {
    deliveries++;
    const to = d.to.index;
    const isSpy = topology.spyRank[to] < maxSpies;
    if (d.zone === PUBLIC_ZONE && !d.fluff && d.txs.length > 0) milestones.publicStems++;
    for (const id of d.txs) {
      const tx = txIndex.get(id);
      if (tx === undefined) continue;
      const slot = to * t + tx;
      if (d.at < firstArrival[slot]) firstArrival[slot] = d.at;
      if (d.zone === PUBLIC_ZONE) milestones.publicSentAt[tx] = Math.min(milestones.publicSentAt[tx], d.sentAt);
      else if (d.from.index === topology.origins[tx]) {
        // After the tx came back to its origin, the origin relays it as every node does: that
        // send is not its own broadcast, and a stream carrying relays says nothing of a sender.
        if (!originHeard[tx]) handoffs.add(tx, to, d.connection);
        if (d.at < milestones.anonymityArrivedAt[tx]) {
          milestones.anonymityArrivedAt[tx] = d.at;
          milestones.anonymitySentAt[tx] = d.sentAt;
        }
      }
      if (to === topology.origins[tx] && d.reachesEngine) originHeard[tx] = 1;
      if (to === topology.origins[tx]) trackers.get(to)?.onTxReceived(id, { kind: 'connection', zone: d.zone, connectionId: d.connection });
      // A spy sees who handed it the tx on the public zone; an anonymity link hides the sender.
      if (isSpy && d.zone === PUBLIC_ZONE) observations.add(tx, to, d.from.index, d.at, !d.fluff);
    }
  };
  const dialRng = new SeededRng(params.seed * 31 + 7);
  let anonymityNodes: EngineNode[] = [];
  // A rotation's replacement: a fresh uniformly drawn anonymity node not yet connected.
  const onDial = (node: EngineNode, zone: string) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const peer = anonymityNodes[dialRng.int(anonymityNodes.length)];
      if (peer === node || network.linked(zone, node, peer)) continue;
      network.connect(zone, node, peer);
      return;
    }
  };
  const network = new EngineNetwork(clock, { link: linkModels(params.seed), onDelivery, onDial });
  const nodes = Array.from({ length: n }, (_, i) => network.node(`n${i}`, engineConfig(mode, topology.anonymous[i], params), params.seed * 100_003 + i));
  anonymityNodes = nodes.filter((_, i) => topology.anonymous[i]);
  for (const node of nodes) node.boot();
  for (const e of topology.publicEdges) network.connect(PUBLIC_ZONE, nodes[e.dialer], nodes[e.listener]);
  const anonymous = mode === 'veilnode' || mode === 'carriers';
  if (anonymous) for (const e of topology.anonymityEdges) network.connect(ANONYMITY_ZONE, nodes[e.dialer], nodes[e.listener]);
  const pools: CarrierPool[] = [];
  if (mode === 'carriers') {
    const zone = anonymityZone({ name: ANONYMITY_ZONE, anonymity: true });
    for (const node of anonymityNodes) {
      const rng = new SeededRng(params.seed * 7_919 + node.index);
      const opener = simCarrierOpener(network, node, anonymityNodes, rng, params.veilnodeRelay.noise);
      const pool = new CarrierPool(zone, { clock, rng, opener }, { targetSize: params.carriers.poolSize, maxOpen: 2 * params.carriers.poolSize });
      pools.push(pool);
      trackers.set(node.index, new EchoTracker([pool], { clock }, { fanout: params.carriers.fanout }));
      pool.start();
    }
  }
  // Carrier openings settle in promise callbacks: let them run between short clock steps.
  const runUntil = async (target: number) => {
    if (mode !== 'carriers') return clock.runUntil(target);
    while (clock.now() < target) {
      clock.runUntil(Math.min(target, clock.now() + 1_000));
      await Promise.resolve();
    }
  };

  const submittedAt = new Float64Array(t);
  for (let i = 0; i < t; i++) {
    const at = params.warmupMs + i * params.txIntervalMs;
    await runUntil(at);
    const blob = txBlob(params.seed, i, params.txBytes);
    const id = network.txIds.of(blob);
    txIndex.set(id, i);
    const origin = topology.origins[i];
    submittedAt[i] = at;
    firstArrival[origin * t + i] = Math.min(firstArrival[origin * t + i], at);
    if (mode === 'diffusion') {
      // Pre-Dandelion++ broadcast: the origin treats its own tx as a fluff it must pass on.
      nodes[origin].engine.receive({ zone: PUBLIC_ZONE, connectionId: 'wallet', txs: [{ id, blob }], fluff: true });
    } else if (mode === 'carriers') {
      trackers.get(origin)?.submit({ id, blob });
    } else {
      await nodes[origin].engine.submitLocal(blob);
    }
  }
  await runUntil(params.warmupMs + t * params.txIntervalMs + params.drainMs);
  const status = [...trackers.values()].flatMap((tracker) => tracker.status());
  const privateBroadcast: PrivateBroadcastTotals = {
    carriersUsed: status.reduce((n, s) => n + s.carriersUsed, 0),
    sent: status.reduce((n, s) => n + s.sent, 0),
    delivered: status.filter((s) => s.delivered).length,
    resent: status.filter((s) => s.carriersUsed > params.carriers.fanout).length,
  };
  for (const tracker of trackers.values()) tracker.stop();
  for (const pool of pools) pool.stop();
  for (const node of nodes) node.engine.stop();
  return { mode, observations: observations.columns(), handoffs: handoffs.columns(), firstArrival, submittedAt, milestones, bytesSent: network.bytesSent, privateBroadcast, deliveries, wallMs: performance.now() - started };
}
