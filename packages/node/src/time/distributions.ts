import type { Rng } from './rng';

/** `minMs` plus a uniform draw in [0, rangeMs], rounded to whole milliseconds. */
export function uniformDelay(rng: Rng, minMs: number, rangeMs: number): number {
  return minMs + Math.round(rng.float() * rangeMs);
}

/** Exponential delay with the given mean (memoryless: the Dandelion++ embargo timer). */
export function exponentialDelay(rng: Rng, meanMs: number): number {
  return Math.round(-meanMs * Math.log(1 - rng.float()));
}

/** Knuth's method is exact but its cost grows with the mean; chunks keep each step small. */
const POISSON_CHUNK = 64;

/** Poisson-distributed count with mean `lambda` (sum of Poisson parts is Poisson). */
export function poisson(rng: Rng, lambda: number): number {
  let total = 0;
  let remaining = lambda;
  while (remaining > 0) {
    const part = Math.min(remaining, POISSON_CHUNK);
    remaining -= part;
    const limit = Math.exp(-part);
    let product = rng.float();
    while (product > limit) {
      total++;
      product *= rng.float();
    }
  }
  return total;
}

/**
 * Poisson delay in steps of `granularityMs` with the given mean, as monerod draws fluff flush
 * delays (mean 5 s / 2.5 s in quarter seconds).
 */
export function poissonDelay(rng: Rng, meanMs: number, granularityMs: number): number {
  return poisson(rng, meanMs / granularityMs) * granularityMs;
}

/** Up to `k` distinct items drawn uniformly at random (partial Fisher-Yates). */
export function pickDistinct<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const pool = [...items];
  const count = Math.min(k, pool.length);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}
