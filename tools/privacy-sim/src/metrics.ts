import type { Guesses } from './estimators';

export interface Accuracy {
  readonly precision: number;
  readonly recall: number;
}

/**
 * Precision and recall as the Dandelion++ paper defines them: a source's precision is the share
 * of the txs mapped to it that are really its own (0 when none is), averaged over the sources;
 * recall is the share of txs mapped to their true source.
 */
export function accuracy(origins: Int32Array, guesses: Guesses): Accuracy {
  const mapped = new Map<number, number>();
  const correct = new Map<number, number>();
  for (let i = 0; i < guesses.length; i++) {
    const g = guesses[i];
    if (g < 0) continue;
    mapped.set(g, (mapped.get(g) ?? 0) + 1);
    if (g === origins[i]) correct.set(g, (correct.get(g) ?? 0) + 1);
  }
  const sources = new Set(origins);
  let precision = 0;
  for (const v of sources) precision += (correct.get(v) ?? 0) / Math.max(1, mapped.get(v) ?? 0);
  let hits = 0;
  for (const c of correct.values()) hits += c;
  return { precision: precision / sources.size, recall: hits / origins.length };
}

/** Nearest-rank percentile (q in [0, 1]) of finite and infinite values alike. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Per tx, the time from submission until `share` of all nodes had it (Infinity: never). */
export function propagationTimes(firstArrival: Float64Array, submittedAt: Float64Array, nodes: number, share = 0.9): number[] {
  const txs = submittedAt.length;
  const column = new Float64Array(nodes);
  return Array.from(submittedAt, (at, t) => {
    for (let v = 0; v < nodes; v++) column[v] = firstArrival[v * txs + t];
    column.sort();
    return column[Math.ceil(share * nodes) - 1] - at;
  });
}
