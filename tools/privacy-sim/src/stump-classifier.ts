import { SeededRng, pickDistinct } from '@veilnode/node/relay';
import { FEATURES, type FeatureName, type FeatureVector } from './traffic-features';

export interface Sample {
  readonly x: FeatureVector;
  readonly y: boolean;
}

/** "tx sent" iff `feature` is above (or, `below`, under) `threshold`. */
export interface Stump {
  readonly feature: FeatureName;
  readonly threshold: number;
  readonly below: boolean;
}

export const predict = (stump: Stump, x: FeatureVector) => (stump.below ? x[stump.feature] < stump.threshold : x[stump.feature] > stump.threshold);

/** The single-feature threshold (any feature, either direction) with the best training accuracy. */
export function trainStump(samples: readonly Sample[]): Stump {
  let best: Stump = { feature: FEATURES[0], threshold: Number.POSITIVE_INFINITY, below: false };
  let bestCorrect = -1;
  for (const feature of FEATURES) {
    const values = [...new Set(samples.map((s) => s.x[feature]))].sort((a, b) => a - b);
    // Candidate thresholds: midpoints between distinct values, plus both extremes.
    const thresholds = [values[0] - 1, ...values.slice(1).map((v, i) => (v + values[i]) / 2), values[values.length - 1] + 1];
    for (const threshold of thresholds) {
      for (const below of [false, true]) {
        const stump = { feature, threshold, below };
        let correct = 0;
        for (const s of samples) if (predict(stump, s.x) === s.y) correct++;
        if (correct > bestCorrect) {
          bestCorrect = correct;
          best = stump;
        }
      }
    }
  }
  return best;
}

export interface CrossValidation {
  readonly accuracy: number;
  /** 95 % Wilson score interval of the held-out accuracy. */
  readonly low: number;
  readonly high: number;
  readonly samples: number;
  /** The stump trained on all samples (what the observer would use). */
  readonly stump: Stump;
}

export function wilson(correct: number, n: number, z = 1.96): { low: number; high: number } {
  const p = correct / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return { low: centre - half, high: centre + half };
}

/**
 * Stratified k-fold cross-validation: every sample is classified by a stump that never saw it,
 * and every fold has the same share of tx windows (unstratified folds bias a signal-free
 * classifier below 50 %: the training majority is the test minority).
 */
export function crossValidate(samples: readonly Sample[], folds: number, seed: number): CrossValidation {
  const shuffled = pickDistinct(new SeededRng(seed), samples.map((_, i) => i), samples.length);
  const order = [...shuffled.filter((i) => samples[i].y), ...shuffled.filter((i) => !samples[i].y)];
  let correct = 0;
  for (let f = 0; f < folds; f++) {
    const test = order.filter((_, k) => k % folds === f);
    const testSet = new Set(test);
    const stump = trainStump(samples.filter((_, i) => !testSet.has(i)));
    for (const i of test) if (predict(stump, samples[i].x) === samples[i].y) correct++;
  }
  return { accuracy: correct / samples.length, ...wilson(correct, samples.length), samples: samples.length, stump: trainStump(samples) };
}
