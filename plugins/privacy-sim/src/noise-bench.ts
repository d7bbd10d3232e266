import { DEFAULT_NOISE } from '@veilnode/core';
import { captureAnonymityLink, type CaptureParams } from './noise-capture';
import { crossValidate, type CrossValidation } from './stump-classifier';
import { features } from './traffic-features';

export interface NoiseBenchParams {
  readonly windows: number;
  readonly windowMs: number;
  readonly folds: number;
  readonly seed: number;
  readonly txBytes: number;
}

export const DEFAULT_NOISE_BENCH: NoiseBenchParams = Object.freeze({ windows: 2_000, windowMs: 60_000, folds: 10, seed: 7, txBytes: 1_500 });

export interface NoiseBenchResult {
  readonly params: NoiseBenchParams;
  readonly noiseOn: CrossValidation;
  readonly noiseOff: CrossValidation;
  /** Measured on the observed link with noise on (Tor cells), and monerod's nominal figure. */
  readonly linkBytesPerSecond: number;
  readonly nominalChannelBytesPerSecond: number;
}

async function classify(noise: boolean, params: NoiseBenchParams): Promise<{ cv: CrossValidation; linkBytesPerSecond: number }> {
  const capture: CaptureParams = { noise, windows: params.windows, windowMs: params.windowMs, seed: params.seed, txBytes: params.txBytes };
  const { windows, linkBytesPerSecond } = await captureAnonymityLink(capture);
  const samples = windows.map((w) => ({ x: features(w), y: w.txSent }));
  return { cv: crossValidate(samples, params.folds, params.seed), linkBytesPerSecond };
}

/** Captures a noisy and a quiet anonymity link and measures how well a stump finds the tx windows. */
export async function noiseBench(params: NoiseBenchParams = DEFAULT_NOISE_BENCH): Promise<NoiseBenchResult> {
  const on = await classify(true, params);
  const off = await classify(false, params);
  const meanTickMs = DEFAULT_NOISE.tickMinMs + DEFAULT_NOISE.tickRangeMs / 2;
  return {
    params,
    noiseOn: on.cv,
    noiseOff: off.cv,
    linkBytesPerSecond: on.linkBytesPerSecond,
    nominalChannelBytesPerSecond: 3072 / (meanTickMs / 1000),
  };
}
