import { percentile, propagationTimes } from './metrics';
import type { ModeRun } from './run-mode';

/** Medians over txs (seconds) of the legs of a tx's way to 90 % of the nodes. */
export interface PathPhases {
  /** Submission until the origin put the copy that arrived first on an anonymity link (the noise slot). */
  readonly noiseWaitS: number;
  /** That copy's time on the anonymity link (latency + transfer). */
  readonly anonymityHopS: number;
  /** Its arrival until some node first sent the tx on the public zone: the shortest cross-zone delay among the anonymity nodes holding it, plus that node's first fluff flush. */
  readonly crossingS: number;
  /** First public send until 90 % of the nodes had it (Poisson fluff diffusion). */
  readonly publicSpreadS: number;
  /** Public-zone stem messages in the run (a tx crossing from an anonymity zone is fluffed, never stemmed). */
  readonly publicStems: number;
}

const median = (values: number[]) => percentile(values, 0.5) / 1000;

/**
 * Splits each tx's reach-90 % time at its milestones. Legs a mode never passes (no anonymity
 * zone in diffusion and Dandelion++) are NaN; there the public leg starts at the origin's first send.
 */
export function pathPhases(run: ModeRun, nodes: number): PathPhases {
  const { submittedAt, milestones: m } = run;
  const reach = propagationTimes(run.firstArrival, submittedAt, nodes);
  const wait: number[] = [];
  const hop: number[] = [];
  const crossing: number[] = [];
  const spread: number[] = [];
  submittedAt.forEach((at, t) => {
    if (Number.isFinite(m.anonymityArrivedAt[t])) {
      wait.push(m.anonymitySentAt[t] - at);
      hop.push(m.anonymityArrivedAt[t] - m.anonymitySentAt[t]);
      crossing.push(m.publicSentAt[t] - m.anonymityArrivedAt[t]);
    }
    spread.push(at + reach[t] - m.publicSentAt[t]);
  });
  const orNaN = (values: number[]) => (values.length === 0 ? Number.NaN : median(values));
  return { noiseWaitS: orNaN(wait), anonymityHopS: orNaN(hop), crossingS: orNaN(crossing), publicSpreadS: median(spread), publicStems: m.publicStems };
}
