import type { OrdinarySendAge } from './ordinary-send-age';

/** Width of an age bin: the law is nearly flat within a minute, and an hour holds enough takes to fill 11 bins. */
const BIN_MS = 60_000;
/** Share of a take's view of the pool in the running mean: about the last 20 takes count. */
const SMOOTHING = 0.05;
/** Least mean warm count of a bin, so an age the pool seldom holds gets a large weight, not an infinite one. */
const FLOOR = 0.05;
/** Share of one hand-out in the running law of hand-outs: about the last 50 count. */
const HANDED_SMOOTHING = 0.02;
/** Step of the correction towards the law per hand-out, relative to the bin's shortfall. */
const CORRECTION_STEP = 0.05;
/** The correction stays within ×1/8..×8: a bin the pool cannot fill does not take over the draw. */
const CORRECTION_BOUND = 8;

/**
 * Weights that make a carrier drawn in proportion to them have an ordinary connection's age at a
 * send: weight(age) = that law's mass in the age's bin / the mean number of warm carriers in the
 * bin when a tx takes one, × a correction. The pool holds fewer old carriers than the law asks
 * for (an old one needs a long lifetime and must have escaped earlier takes), and more so the
 * faster the sender; dividing by what the pool actually held at takes cancels most of that,
 * whatever the sender's rate. The mean is learnt at each take from the warm carriers' ages,
 * starting from an idle pool's shape. What is left (a small pool often lacks the old carrier a
 * draw would favour, and then a young one goes) the correction removes: it follows the law of
 * the ages actually handed out and raises the weight of a bin handed out less than the law
 * says, lowers one handed out more.
 */
export class HandoutWeights {
  private readonly target: number[];
  private readonly warmMean: number[];
  private readonly handed: number[];
  private readonly correction: number[];

  /** `warmShape`: the idle pool's warm carriers, age law (lifetimes less the remaining time they need); `idleWarm`: their usual count. */
  constructor(target: OrdinarySendAge, warmShape: OrdinarySendAge, idleWarm: number) {
    const bins = Math.max(1, Math.ceil(target.maxAgeMs / BIN_MS));
    const mass = (law: OrdinarySendAge, b: number) => law.cdf((b + 1) * BIN_MS) - law.cdf(b * BIN_MS);
    this.target = Array.from({ length: bins }, (_, b) => mass(target, b));
    this.warmMean = Array.from({ length: bins }, (_, b) => idleWarm * mass(warmShape, b));
    this.handed = [...this.target];
    this.correction = this.target.map(() => 1);
  }

  /** Counts the warm carriers' ages one take saw. */
  observe(agesMs: readonly number[]): void {
    const counts = new Array<number>(this.warmMean.length).fill(0);
    for (const age of agesMs) counts[this.bin(age)]++;
    for (let b = 0; b < counts.length; b++) this.warmMean[b] += SMOOTHING * (counts[b] - this.warmMean[b]);
  }

  /** Counts a carrier handed out at this age, and moves the correction. */
  handedOut(ageMs: number): void {
    const at = this.bin(ageMs);
    for (let b = 0; b < this.handed.length; b++) {
      this.handed[b] += HANDED_SMOOTHING * ((b === at ? 1 : 0) - this.handed[b]);
      const step = Math.exp((CORRECTION_STEP * (this.target[b] - this.handed[b])) / this.target[b]);
      this.correction[b] = Math.min(CORRECTION_BOUND, Math.max(1 / CORRECTION_BOUND, this.correction[b] * step));
    }
  }

  weight(ageMs: number): number {
    const b = this.bin(ageMs);
    return (this.target[b] / Math.max(this.warmMean[b], FLOOR)) * this.correction[b];
  }

  private bin(ageMs: number): number {
    return Math.min(this.target.length - 1, Math.max(0, Math.floor(ageMs / BIN_MS)));
  }
}
