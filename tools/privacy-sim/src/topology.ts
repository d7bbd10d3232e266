import { SeededRng, pickDistinct, type Rng } from '@veilnode/node/relay';
import type { SimParams } from './sim-params';

/** A directed connection: `dialer` opened it to `listener`. */
export interface Edge {
  readonly dialer: number;
  readonly listener: number;
}

/** Who is who in one simulated network; shared by every mode of a run. */
export interface Topology {
  readonly nodes: number;
  readonly publicEdges: readonly Edge[];
  readonly anonymityEdges: readonly Edge[];
  /** Per node, true when it runs an anonymity zone (never a spy). */
  readonly anonymous: readonly boolean[];
  /** Per node, its rank in the adversary's recruitment order; spies at share p are ranks < floor(p·n). */
  readonly spyRank: Int32Array;
  /**
   * Per node, its rank in the hidden-service adversary's recruitment order among the anonymity-zone
   * nodes (nodes.length for the others): at share p it runs the anonymity nodes of rank < floor(p·a).
   */
  readonly hiddenSpyRank: Int32Array;
  /** Number of anonymity-zone nodes. */
  readonly anonymityNodes: number;
  /** Origin node of each tx (an anonymity-zone node, hence honest at every share). */
  readonly origins: Int32Array;
}

function shuffled(rng: Rng, n: number): number[] {
  return pickDistinct(rng, Array.from({ length: n }, (_, i) => i), n);
}

/** Each node dials `k` distinct random others it is not yet connected to (Monero's outbound rule). */
function randomDials(rng: Rng, members: readonly number[], k: number): Edge[] {
  const connected = new Map<number, Set<number>>(members.map((m) => [m, new Set([m])]));
  const edges: Edge[] = [];
  for (const dialer of members) {
    const mine = connected.get(dialer) as Set<number>;
    let wanted = k;
    let attempts = 0;
    while (wanted > 0 && attempts++ < 50 * k) {
      const listener = members[rng.int(members.length)];
      if (mine.has(listener)) continue;
      mine.add(listener);
      connected.get(listener)?.add(dialer);
      edges.push({ dialer, listener });
      wanted--;
    }
  }
  return edges;
}

/**
 * A random graph shaped like Monero's public network: every node dials `outbound` distinct
 * peers, inbound connections fall where they may. The adversary recruits a random prefix of a
 * permutation of the non-anonymity nodes; the anonymity-zone nodes form their own random graph.
 */
export function buildTopology(params: SimParams): Topology {
  const rng = new SeededRng(params.seed);
  const n = params.nodes;
  const order = shuffled(rng, n);
  const anonymousCount = Math.floor(n * params.anonymityShare);
  const anonymousNodes = order.slice(0, anonymousCount);
  const anonymous = Array.from({ length: n }, () => false);
  for (const a of anonymousNodes) anonymous[a] = true;
  const spyRank = new Int32Array(n).fill(n);
  order.slice(anonymousCount).forEach((node, rank) => (spyRank[node] = rank));
  // Each node dials in random order, so early dialers do not get all the inbound.
  const publicEdges = randomDials(rng, shuffled(rng, n), params.outbound);
  const anonymityEdges = randomDials(rng, anonymousNodes, Math.min(params.anonymityOutbound, anonymousCount - 1));
  const origins = Int32Array.from({ length: params.txs }, () => anonymousNodes[rng.int(anonymousCount)]);
  // A stream of its own, so adding this adversary left every earlier draw as it was.
  const hiddenSpyRank = new Int32Array(n).fill(n);
  shuffled(new SeededRng(params.seed ^ 0x5eed), anonymousCount).forEach((k, rank) => (hiddenSpyRank[anonymousNodes[k]] = rank));
  return { nodes: n, publicEdges, anonymityEdges, anonymous, spyRank, hiddenSpyRank, anonymityNodes: anonymousCount, origins };
}

export const spyCount = (nodes: number, share: number) => Math.floor(nodes * share);
