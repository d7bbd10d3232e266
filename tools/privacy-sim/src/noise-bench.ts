import { DEFAULT_NOISE } from '@veilnode/node/relay';
import { captureCarrierLinks } from './carrier-capture';
import { balanced, carriedTxSamples, carrierSamples, framesOnly } from './carrier-samples';
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
  /**
   * Shares of windows with a tx at which each rate is also run with private broadcast's carriers
   * (noise on); omitted, none (the CLI runs ½ and 0.1). ½ (30 txs/h) outruns the pool (6 carriers per 10 min at fan-out 2:
   * 18 txs/h), so carriers are taken as soon as they open; 0.1 (6 txs/h) leaves it warm.
   */
  readonly carrierTxShares?: readonly number[];
}

export const DEFAULT_NOISE_BENCH: NoiseBenchParams = Object.freeze({ windows: 2_000, windowMs: 60_000, folds: 10, seed: 7, txBytes: 1_500, relayedPerMinute: Object.freeze([0, 2]), carrierTxShares: Object.freeze([0.5, 0.1]) });

export interface NoiseCondition {
  readonly noise: boolean;
  readonly relayedPerMinute: number;
  readonly cv: CrossValidation;
  /** Bytes per second on the observed link (Tor cells). */
  readonly linkBytesPerSecond: number;
}

/** One rate with carriers on: the observer sees every Tor connection of the origin, carriers and ordinary ones. */
export interface CarrierCondition {
  readonly relayedPerMinute: number;
  readonly txShare: number;
  /** (a) "one of the origin's txs went out on this connection in this window", balanced classes. */
  readonly carriedTx: CrossValidation;
  /** (a) without the connections' ages: an observer who sees the frames but not the circuits being built. */
  readonly carriedTxFramesOnly: CrossValidation;
  /** (b) "this connection is a carrier", from its whole life's frames and lifetime, balanced classes. */
  readonly carrier: CrossValidation;
  /** Bytes per second per open connection (cells): the link cost the observer sees on one circuit. */
  readonly linkBytesPerSecond: number;
  /** Bytes per second of all the origin's Tor connections together. */
  readonly nodeBytesPerSecond: number;
  readonly carriersOpened: number;
  readonly ordinaryOpened: number;
  readonly submitted: number;
  readonly undelivered: number;
}

export interface NoiseBenchResult {
  readonly params: NoiseBenchParams;
  readonly conditions: NoiseCondition[];
  readonly carrierConditions: CarrierCondition[];
  /** monerod's nominal noise rate of one channel: 3072 bytes per mean tick. */
  readonly nominalChannelBytesPerSecond: number;
}

async function classify(noise: boolean, relayedPerMinute: number, params: NoiseBenchParams): Promise<NoiseCondition> {
  const capture: CaptureParams = { noise, relayedPerMinute, windows: params.windows, windowMs: params.windowMs, seed: params.seed, txBytes: params.txBytes };
  const { windows, linkBytesPerSecond } = await captureAnonymityLink(capture);
  const samples = windows.map((w) => ({ x: features(w), y: w.txSent }));
  return { noise, relayedPerMinute, cv: crossValidate(samples, params.folds, params.seed), linkBytesPerSecond };
}

async function classifyCarriers(relayedPerMinute: number, txShare: number, params: NoiseBenchParams): Promise<CarrierCondition> {
  const capture = await captureCarrierLinks({ relayedPerMinute, txShare, windows: params.windows, windowMs: params.windowMs, seed: params.seed, txBytes: params.txBytes });
  const carriers = capture.connections.filter((c) => c.carrier).length;
  const carriedTx = balanced(carriedTxSamples(capture, params.windowMs), params.seed);
  return {
    relayedPerMinute,
    txShare,
    carriedTx: crossValidate(carriedTx, params.folds, params.seed),
    carriedTxFramesOnly: crossValidate(framesOnly(carriedTx), params.folds, params.seed),
    carrier: crossValidate(balanced(carrierSamples(capture), params.seed), params.folds, params.seed),
    linkBytesPerSecond: capture.bytesPerConnectionSecond,
    nodeBytesPerSecond: capture.nodeBytesPerSecond,
    carriersOpened: carriers,
    ordinaryOpened: capture.connections.length - carriers,
    submitted: capture.submitted,
    undelivered: capture.undelivered,
  };
}

/**
 * Captures a noisy and a quiet anonymity link and measures how well a stump finds the tx windows;
 * with `carrierTxShares`, also the origin's connections under private broadcast.
 */
export async function noiseBench(params: NoiseBenchParams = DEFAULT_NOISE_BENCH): Promise<NoiseBenchResult> {
  const conditions: NoiseCondition[] = [];
  for (const rate of params.relayedPerMinute) for (const noise of [true, false]) conditions.push(await classify(noise, rate, params));
  const carrierConditions: CarrierCondition[] = [];
  for (const share of params.carrierTxShares ?? []) for (const rate of params.relayedPerMinute) carrierConditions.push(await classifyCarriers(rate, share, params));
  const meanTickMs = DEFAULT_NOISE.tickMinMs + DEFAULT_NOISE.tickRangeMs / 2;
  return { params, conditions, carrierConditions, nominalChannelBytesPerSecond: 3072 / (meanTickMs / 1000) };
}
