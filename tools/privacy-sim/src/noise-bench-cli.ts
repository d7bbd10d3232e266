import { parseArgs } from 'node:util';
import { DEFAULT_NOISE_BENCH, noiseBench } from './noise-bench';
import type { CarrierCondition, NoiseBenchResult, NoiseCondition } from './noise-bench';
import type { CrossValidation } from './stump-classifier';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const perDay = (bps: number) => ((bps * 86_400) / 1e6).toFixed(1);
const line = ({ noise, relayedPerMinute, cv, linkBytesPerSecond }: NoiseCondition) =>
  [
    (noise ? 'on' : 'off').padEnd(6),
    String(relayedPerMinute).padEnd(13),
    pct(cv.accuracy).padStart(8),
    `[${pct(cv.low)}, ${pct(cv.high)}]`.padEnd(18),
    `${linkBytesPerSecond.toFixed(0)} B/s = ${perDay(linkBytesPerSecond)} MB/day`.padEnd(26),
    `${cv.stump.feature} ${cv.stump.below ? '<' : '>'} ${cv.stump.threshold.toFixed(1)}`,
  ].join(' ');

const scored = (cv: CrossValidation) => `${pct(cv.accuracy)} [${pct(cv.low)}, ${pct(cv.high)}] n=${cv.samples} (${cv.stump.feature} ${cv.stump.below ? '<' : '>'} ${cv.stump.threshold.toFixed(0)})`;

/** Today's link cost at the same background rate: the noisy A→B link. */
const todayCost = (result: NoiseBenchResult, rate: number) => result.conditions.find((c) => c.noise && c.relayedPerMinute === rate)?.linkBytesPerSecond ?? Number.NaN;

const carrierLines = (c: CarrierCondition, today: number) => [
  `${c.pool === 'take-young' ? 'pool as before (youngest carriers)' : 'pool handing out carriers at ordinary ages'}, ${c.burst === undefined ? `tx share ${c.txShare}` : `bursts of ${c.burst.txs} txs in one window after ${c.burst.silenceWindows} silent ones`}, relayed/min ${c.relayedPerMinute}: ${c.carriersOpened} carriers, ${c.ordinaryOpened} ordinary connections, ${c.submitted} txs (${c.undelivered} not echoed at the end); submission to first frame p50 ${(c.firstSendP50Ms / 1000).toFixed(1)} s, p90 ${(c.firstSendP90Ms / 1000).toFixed(1)} s`,
  `  (a) which connection carried the tx:  ${scored(c.carriedTx)}`,
  `      the same without circuit ages:    ${scored(c.carriedTxFramesOnly)}`,
  `      from circuit ages alone:          ${scored(c.carriedTxAgeOnly)}`,
  `  (b) carrier or ordinary connection:   ${scored(c.carrier)}`,
  `  link cost per connection ${c.linkBytesPerSecond.toFixed(0)} B/s (today ${today.toFixed(0)} B/s, ratio ${(c.linkBytesPerSecond / today).toFixed(2)}); all Tor connections of the node ${c.nodeBytesPerSecond.toFixed(0)} B/s (${c.meanOpenCircuits.toFixed(1)} open on average) = ${perDay(c.nodeBytesPerSecond)} MB/day`,
];

/** `npm run bench:noise`: can a passive observer of an anonymity link tell when a tx was sent? */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { windows: { type: 'string' }, seed: { type: 'string' } } });
  const params = { ...DEFAULT_NOISE_BENCH, windows: Number(values.windows ?? DEFAULT_NOISE_BENCH.windows), seed: Number(values.seed ?? DEFAULT_NOISE_BENCH.seed) };
  if (!Number.isInteger(params.windows) || params.windows < params.folds * 2 || !Number.isInteger(params.seed)) {
    throw new Error(`--windows must be an integer >= ${params.folds * 2} and --seed an integer`);
  }
  const started = performance.now();
  const result = await noiseBench(params);
  console.log(`noise vs traffic analysis: ${params.windows} windows of ${params.windowMs / 1000} s per condition, ${params.folds}-fold cross-validated threshold classifier (features: frame count, bytes, max frame, min/max gap, gap spread, 1 s burst)`);
  console.log('noise  relayed/min  accuracy  95 % CI (Wilson)   observed link A→B (cells)  best stump (all data)');
  for (const condition of result.conditions) console.log(line(condition));
  if (result.carrierConditions.length > 0) {
    console.log('private broadcast (carriers on, noise on): an observer of every Tor circuit of the node (features + circuit age at the window start, or lifetime for (b)), balanced classes (chance 50 %), accuracy [95 % CI] (best stump)');
    for (const c of result.carrierConditions) for (const l of carrierLines(c, todayCost(result, c.relayedPerMinute))) console.log(l);
  }
  console.log(`nominal per channel (3072 B per 10–15 s): ${result.nominalChannelBytesPerSecond.toFixed(0)} B/s = ${perDay(result.nominalChannelBytesPerSecond)} MB/day; per zone (2 channels): ${perDay(2 * result.nominalChannelBytesPerSecond)} MB/day`);
  console.log(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
