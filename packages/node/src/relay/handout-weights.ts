import type { OrdinarySendAge } from './ordinary-send-age';

/** Width of an age bin: the law is nearly flat within a minute, and an hour holds enough takes to fill 11 bins. */
const BIN_MS = 60_000;
/** Share of a take's view of the pool in the running mean: about the last 20 takes count. */
const SMOOTHING = 0.05;
/** Least mean warm count of a bin, so an age the pool seldom holds gets a large weight, not an infinite one. */
const FLOOR = 0.05;

/**
 * Weights that make a carrier drawn in proportion to them have an ordinary connection's age at a
 * send: weight(age) = that law's mass in the age's bin / the mean number of warm carriers in the
 * bin when a tx takes one. The pool holds fewer old carriers than the law asks for (an old one
 * needs a long lifetime and must have escaped earlier takes), and more so the faster the sender;
 * dividing by what the pool actually held at takes cancels that, whatever the sender's rate. The
 * mean is learnt at each take from the warm carriers' ages, starting from an idle pool's shape.
 */
export class HandoutWeights {
  private readonly target: number[];
  private readonly warmMean: number[];

  /** `warmShape`: the idle pool's warm carriers, age law (lifetimes less the remaining time they need); `idleWarm`: their usual count. */
  constructor(target: OrdinarySendAge, warmShape: OrdinarySendAge, idleWarm: number) {
    const bins = Math.max(1, Math.ceil(target.maxAgeMs / BIN_MS));
    const mass = (law: OrdinarySendAge, b: number) => law.cdf((b + 1) * BIN_MS) - law.cdf(b * BIN_MS);
    this.target = Array.from({ length: bins }, (_, b) => mass(target, b));
    this.warmMean = Array.from({ length: bins }, (_, b) => idleWarm * mass(warmShape, b));
  }

  /** Counts the warm carriers' ages one take saw. */
  observe(agesMs: readonly number[]): void {
    const counts = new Array<number>(this.warmMean.length).fill(0);
    for (const age of agesMs) counts[this.bin(age)]++;
    for (let b = 0; b < counts.length; b++) this.warmMean[b] += SMOOTHING * (counts[b] - this.warmMean[b]);
  }

  weight(ageMs: number): number {
    const b = this.bin(ageMs);
    return this.target[b] / Math.max(this.warmMean[b], FLOOR);
  }

  private bin(ageMs: number): number {
    return Math.min(this.target.length - 1, Math.max(0, Math.floor(ageMs / BIN_MS)));
  }
}
