import { DEFAULT_NOISE } from '@veilnode/node/relay';
import { captureAnonymityLink, type CaptureParams } from './noise-capture';
import { crossValidate, type CrossValidation } from './stump-classifier';
import { features } from './traffic-features';

export interface NoiseBenchParams {
  readonly windows: number;
  readonly windowMs: number;
  readonly folds: number;
  readonly seed: number;
  readonly txBytes: number;
  /** Background rates (relayed txs per minute) to test; each is run with noise on and off. */
  readonly relayedPerMinute: readonly number[];
}

export const DEFAULT_NOISE_BENCH: NoiseBenchParams = Object.freeze({ windows: 2_000, windowMs: 60_000, folds: 10, seed: 7, txBytes: 1_500, relayedPerMinute: Object.freeze([0, 2]) });

export interface NoiseCondition {
  readonly noise: boolean;
  readonly relayedPerMinute: number;
  readonly cv: CrossValidation;
  /** Bytes per second on the observed link (Tor cells). */
  readonly linkBytesPerSecond: number;
}

export interface NoiseBenchResult {
  readonly params: NoiseBenchParams;
  readonly conditions: NoiseCondition[];
  /** monerod's nominal noise rate of one channel: 3072 bytes per mean tick. */
  readonly nominalChannelBytesPerSecond: number;
}

async function classify(noise: boolean, relayedPerMinute: number, params: NoiseBenchParams): Promise<NoiseCondition> {
  const capture: CaptureParams = { noise, relayedPerMinute, windows: params.windows, windowMs: params.windowMs, seed: params.seed, txBytes: params.txBytes };
  const { windows, linkBytesPerSecond } = await captureAnonymityLink(capture);
  const samples = windows.map((w) => ({ x: features(w), y: w.txSent }));
  return { noise, relayedPerMinute, cv: crossValidate(samples, params.folds, params.seed), linkBytesPerSecond };
}

/** Captures a noisy and a quiet anonymity link and measures how well a stump finds the tx windows. */
export async function noiseBench(params: NoiseBenchParams = DEFAULT_NOISE_BENCH): Promise<NoiseBenchResult> {
  const conditions: NoiseCondition[] = [];
  for (const rate of params.relayedPerMinute) for (const noise of [true, false]) conditions.push(await classify(noise, rate, params));
  const meanTickMs = DEFAULT_NOISE.tickMinMs + DEFAULT_NOISE.tickRangeMs / 2;
  return { params, conditions, nominalChannelBytesPerSecond: 3072 / (meanTickMs / 1000) };
}
