import { DEFAULT_NOISE, TAKE_YOUNG_CARRIER_POOL } from '@veilnode/node/relay';
import { captureCarrierLinks, type CarrierBurst, type CarrierCaptureParams } from './carrier-capture';
import { ageOnly, balanced, carriedTxSamples, carrierSamples, framesOnly } from './carrier-samples';
import { captureAnonymityLink, type CaptureParams } from './noise-capture';
import { crossValidate, type CrossValidation } from './stump-classifier';
import { percentile } from './metrics';
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
   * (noise on); omitted, none (the CLI runs ½ and 0.1). ½ (30 txs/h) outruns the idle pool (6 carriers per 10 min at fan-out 2:
   * 18 txs/h), which then opens faster; 0.1 (6 txs/h) leaves it at its idle rate.
   */
  readonly carrierTxShares?: readonly number[];
  /** Shares also run (without background) with the pool as before, which hands out the youngest carriers: the baseline. */
  readonly takeYoungTxShares?: readonly number[];
  /** A bursty sender also run (without background), with the node's pool and with the baseline. */
  readonly carrierBurst?: CarrierBurst;
}

export const DEFAULT_NOISE_BENCH: NoiseBenchParams = Object.freeze({
  windows: 2_000,
  windowMs: 60_000,
  folds: 10,
  seed: 7,
  txBytes: 1_500,
  relayedPerMinute: Object.freeze([0, 2]),
  carrierTxShares: Object.freeze([0.5, 0.1]),
  takeYoungTxShares: Object.freeze([0.5, 0.1]),
  carrierBurst: Object.freeze({ txs: 5, silenceWindows: 60 }),
});

export interface NoiseCondition {
  readonly noise: boolean;
  readonly relayedPerMinute: number;
  readonly cv: CrossValidation;
  /** Bytes per second on the observed link (Tor cells). */
  readonly linkBytesPerSecond: number;
}

/** One rate with carriers on: the observer sees every Tor connection of the origin, carriers and ordinary ones. */
export interface CarrierCondition {
  /** `age-matched`: the node's pool; `take-young`: the pool as before (baseline). */
  readonly pool: 'age-matched' | 'take-young';
  readonly relayedPerMinute: number;
  readonly txShare: number;
  /** Set when the sender was bursty (then txShare is its mean share of windows with a tx). */
  readonly burst?: CarrierBurst;
  /** (a) "one of the origin's txs went out on this connection in this window", balanced classes. */
  readonly carriedTx: CrossValidation;
  /** (a) without the connections' ages: an observer who sees the frames but not the circuits being built. */
  readonly carriedTxFramesOnly: CrossValidation;
  /** (a) from the connections' ages alone: what the pool's hand-out ages tell a guard. */
  readonly carriedTxAgeOnly: CrossValidation;
  /** (b) "this connection is a carrier", from its whole life's frames and lifetime, balanced classes. */
  readonly carrier: CrossValidation;
  /** Bytes per second per open connection (cells): the link cost the observer sees on one circuit. */
  readonly linkBytesPerSecond: number;
  /** Bytes per second of all the origin's Tor connections together. */
  readonly nodeBytesPerSecond: number;
  /** The origin's Tor circuits open at once, time-averaged. */
  readonly meanOpenCircuits: number;
  readonly carriersOpened: number;
  readonly ordinaryOpened: number;
  readonly submitted: number;
  readonly undelivered: number;
  /** Median and 90th percentile of the txs' waits from submission to their first frame on a circuit (ms). */
  readonly firstSendP50Ms: number;
  readonly firstSendP90Ms: number;
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

type CarrierRun = Pick<CarrierCaptureParams, 'relayedPerMinute' | 'txShare' | 'burst'> & { readonly pool: CarrierCondition['pool'] };

async function classifyCarriers(run: CarrierRun, params: NoiseBenchParams): Promise<CarrierCondition> {
  const { relayedPerMinute, burst, pool } = run;
  const txShare = burst === undefined ? (run.txShare ?? 0.5) : 1 / (burst.silenceWindows + 1);
  const capture = await captureCarrierLinks({ relayedPerMinute, txShare, burst, pool: pool === 'take-young' ? TAKE_YOUNG_CARRIER_POOL : undefined, windows: params.windows, windowMs: params.windowMs, seed: params.seed, txBytes: params.txBytes });
  const carriers = capture.connections.filter((c) => c.carrier).length;
  const carriedTx = balanced(carriedTxSamples(capture, params.windowMs), params.seed);
  return {
    pool,
    relayedPerMinute,
    txShare,
    burst,
    carriedTx: crossValidate(carriedTx, params.folds, params.seed),
    carriedTxFramesOnly: crossValidate(framesOnly(carriedTx), params.folds, params.seed),
    carriedTxAgeOnly: crossValidate(ageOnly(carriedTx), params.folds, params.seed),
    carrier: crossValidate(balanced(carrierSamples(capture), params.seed), params.folds, params.seed),
    linkBytesPerSecond: capture.bytesPerConnectionSecond,
    nodeBytesPerSecond: capture.nodeBytesPerSecond,
    meanOpenCircuits: capture.meanOpenConnections,
    carriersOpened: carriers,
    ordinaryOpened: capture.connections.length - carriers,
    submitted: capture.submitted,
    undelivered: capture.undelivered,
    firstSendP50Ms: percentile(capture.firstSendDelays, 0.5),
    firstSendP90Ms: percentile(capture.firstSendDelays, 0.9),
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
  const runs: CarrierRun[] = [];
  for (const txShare of params.carrierTxShares ?? []) {
    for (const relayedPerMinute of params.relayedPerMinute) runs.push({ pool: 'age-matched', relayedPerMinute, txShare });
    if (params.takeYoungTxShares?.includes(txShare)) runs.push({ pool: 'take-young', relayedPerMinute: 0, txShare });
  }
  if (params.carrierBurst !== undefined) for (const pool of ['age-matched', 'take-young'] as const) runs.push({ pool, relayedPerMinute: 0, burst: params.carrierBurst });
  for (const run of runs) carrierConditions.push(await classifyCarriers(run, params));
  const meanTickMs = DEFAULT_NOISE.tickMinMs + DEFAULT_NOISE.tickRangeMs / 2;
  return { params, conditions, carrierConditions, nominalChannelBytesPerSecond: 3072 / (meanTickMs / 1000) };
}
