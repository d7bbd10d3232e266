import type { ObservationColumns } from './observation-log';
import type { Topology } from './topology';

/** An adversary's guess of each tx's origin (-1: no guess). */
export type Guesses = Int32Array;

export interface AdversaryView {
  readonly observations: ObservationColumns;
  readonly topology: Topology;
  readonly txs: number;
  /** Spies are the nodes with spyRank below this. */
  readonly spies: number;
}

/** Observation indices grouped by tx, each group in arrival order. */
export function byTx(observations: ObservationColumns, txs: number): number[][] {
  const groups: number[][] = Array.from({ length: txs }, () => []);
  for (let i = 0; i < observations.tx.length; i++) groups[observations.tx[i]].push(i);
  for (const g of groups) g.sort((a, b) => observations.at[a] - observations.at[b]);
  return groups;
}

/** First-spy: the honest neighbour that first delivered the tx to any spy. */
export function firstSpy(view: AdversaryView, groups: readonly number[][]): Guesses {
  const { observations: o, topology, spies } = view;
  return Int32Array.from(groups, (group) => {
    for (const i of group) {
      if (topology.spyRank[o.spy[i]] >= spies) continue;
      if (topology.spyRank[o.from[i]] < spies) continue; // a fellow spy relayed it
      return o.from[i];
    }
    return -1;
  });
}

/**
 * Expected flush delay, in ms, behind the earliest of one neighbour's deliveries when it made one
 * delivery; with k deliveries the earliest is about this / (k + 1) after the neighbour had the
 * tx (order statistics of k residual flush timers). Tuned on a separate 300-node run (seed 1,
 * values 0.5–8 s tried): it is the one free parameter of the estimator.
 */
export const EARLIEST_ARRIVAL_DELAY_MS = 1_500;

/**
 * Earliest-arrival weighting over all spies: for every honest node u that delivered the tx to
 * some spies, estimate when u itself had it — its earliest delivery to any spy minus the
 * expected minimum of its k flush delays (a stem is relayed at once: no correction) — and guess
 * the node that had it first. A neighbour seen by many spies gets a tighter (earlier-corrected)
 * estimate than one seen once, so every spy's view counts, not only the first.
 */
export function earliestArrival(view: AdversaryView, groups: readonly number[][]): Guesses {
  const { observations: o, topology, spies } = view;
  return Int32Array.from(groups, (group) => {
    const seen = new Map<number, { first: number; stem: boolean; count: number }>();
    for (const i of group) {
      if (topology.spyRank[o.spy[i]] >= spies) continue;
      const u = o.from[i];
      if (topology.spyRank[u] < spies) continue;
      const s = seen.get(u);
      if (s === undefined) seen.set(u, { first: o.at[i], stem: o.stem[i] === 1, count: 1 });
      else s.count++;
    }
    let best = -1;
    let bestAt = Number.POSITIVE_INFINITY;
    for (const [u, s] of seen) {
      const at = s.stem ? s.first : s.first - EARLIEST_ARRIVAL_DELAY_MS / (s.count + 1);
      if (at < bestAt) {
        bestAt = at;
        best = u;
      }
    }
    return best;
  });
}

export const ESTIMATORS = { 'first-spy': firstSpy, 'earliest-arrival': earliestArrival } as const;
export type EstimatorName = keyof typeof ESTIMATORS;
