import { percentile, propagationTimes } from './metrics';
import { pathPhases, type PathPhases } from './path-phases';
import type { ModeRun } from './run-mode';
import { checkParams, type SimParams, type VeilnodeRelaySettings } from './sim-params';
import { pSquaredLog } from './sim-report';
import { defaultWorkers, evaluate, runJobs, type SimJob } from './simulator';
import { buildTopology } from './topology';

/** The sweep's default size: 500 nodes × 200 txs finishes in minutes on 2 cores. */
export const SWEEP_SIZE: Partial<SimParams> = Object.freeze({ nodes: 500, txs: 200 });

/** Noise on/off (`disable_noise`) × cross-zone delay max 30 / 10 / 5 / 0 s. */
export const SWEEP_SETTINGS: readonly VeilnodeRelaySettings[] = Object.freeze(
  [true, false].flatMap((noise) => [30_000, 10_000, 5_000, 0].map((crossZoneDelayMaxMs) => Object.freeze({ noise, crossZoneDelayMaxMs }))),
);

export interface SweepRow {
  /** undefined: the plain-diffusion baseline. */
  readonly relay: VeilnodeRelaySettings | undefined;
  /** Per spy share, first-spy and earliest-arrival precision. */
  readonly precision: readonly { readonly spyShare: number; readonly firstSpy: number; readonly earliestArrival: number }[];
  readonly reachP50s: number;
  readonly reachP99s: number;
  readonly phases: PathPhases;
  /** First-spy precision ≤ p²·ln(1/p) at every p. */
  readonly precisionTarget: boolean;
  /** Median reach-90 % within 2× diffusion's. */
  readonly latencyTarget: boolean;
}

export interface SweepReport {
  readonly params: SimParams;
  readonly rows: readonly SweepRow[];
  readonly wallMs: number;
}

export const settingLabel = (relay: VeilnodeRelaySettings | undefined) =>
  relay === undefined ? 'plain diffusion' : `veilnode, noise ${relay.noise ? 'on' : 'off'}, cross-zone U(0, ${relay.crossZoneDelayMaxMs / 1000} s)`;

/**
 * Runs plain diffusion once and veilnode mode at every setting, all on one topology and seed,
 * and checks issue 7's two targets for each setting.
 */
export async function sweep(
  params: SimParams,
  settings: readonly VeilnodeRelaySettings[] = SWEEP_SETTINGS,
  options: { workers?: number; onRunDone?: (label: string, run: ModeRun) => void } = {},
): Promise<SweepReport> {
  const started = performance.now();
  checkParams(params);
  const topology = buildTopology(params);
  const jobs: SimJob[] = [{ mode: 'diffusion', params }, ...settings.map((veilnodeRelay) => ({ mode: 'veilnode' as const, params: { ...params, veilnodeRelay } }))];
  const label = (job: SimJob) => settingLabel(job.mode === 'veilnode' ? job.params.veilnodeRelay : undefined);
  const runs = await runJobs(jobs, topology, options.workers ?? defaultWorkers(2), (run, job) => options.onRunDone?.(label(job), run));
  const rows = runs.map((run, i) => {
    const results = evaluate(run, params, topology);
    const times = propagationTimes(run.firstArrival, run.submittedAt, topology.nodes);
    const precision = params.spyShares.map((spyShare) => {
      const of = (estimator: string) => results.find((r) => r.spyShare === spyShare && r.estimator === estimator)?.precision ?? Number.NaN;
      return { spyShare, firstSpy: of('first-spy'), earliestArrival: of('earliest-arrival') };
    });
    return { relay: i === 0 ? undefined : jobs[i].params.veilnodeRelay, precision, reachP50s: percentile(times, 0.5) / 1000, reachP99s: percentile(times, 0.99) / 1000, phases: pathPhases(run, topology.nodes) };
  });
  const limit = 2 * rows[0].reachP50s;
  return {
    params,
    rows: rows.map((r) => ({ ...r, precisionTarget: r.precision.every((p) => p.firstSpy <= pSquaredLog(p.spyShare)), latencyTarget: r.reachP50s <= limit })),
    wallMs: performance.now() - started,
  };
}

const seconds = (s: number) => (Number.isNaN(s) ? '–' : s.toFixed(1));

/** The sweep as a fixed-width table: precision, reach, the per-phase medians and the two targets. */
export function sweepTable(report: SweepReport): string {
  const shares = report.params.spyShares.map((p) => p.toFixed(2)).join('/');
  const header = ['setting', `first-spy prec. p=${shares}`, `earliest-arrival prec.`, 'reach90 p50/p99 s', 'noise wait', 'anon hop', 'crossing', 'public spread', 'precision ok', 'latency ok'];
  const cells = report.rows.map((r) => [
    settingLabel(r.relay),
    r.precision.map((p) => p.firstSpy.toFixed(3)).join(' / '),
    r.precision.map((p) => p.earliestArrival.toFixed(3)).join(' / '),
    `${seconds(r.reachP50s)} / ${seconds(r.reachP99s)}`,
    seconds(r.phases.noiseWaitS),
    seconds(r.phases.anonymityHopS),
    seconds(r.phases.crossingS),
    seconds(r.phases.publicSpreadS),
    r.precisionTarget ? 'yes' : 'no',
    r.relay === undefined ? '(baseline)' : r.latencyTarget ? 'yes' : 'no',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function sweepCsv(report: SweepReport): string {
  const shares = report.params.spyShares;
  const header = ['noise', 'cross_zone_max_s', ...shares.map((p) => `first_spy_p${p}`), ...shares.map((p) => `earliest_arrival_p${p}`), 'reach90_p50_s', 'reach90_p99_s', 'noise_wait_s', 'anonymity_hop_s', 'crossing_s', 'public_spread_s', 'public_stems', 'precision_target', 'latency_target'];
  const lines = report.rows.map((r) =>
    [
      r.relay === undefined ? 'diffusion' : r.relay.noise ? 'on' : 'off',
      r.relay === undefined ? '' : r.relay.crossZoneDelayMaxMs / 1000,
      ...r.precision.map((p) => p.firstSpy.toFixed(4)),
      ...r.precision.map((p) => p.earliestArrival.toFixed(4)),
      r.reachP50s.toFixed(2),
      r.reachP99s.toFixed(2),
      ...[r.phases.noiseWaitS, r.phases.anonymityHopS, r.phases.crossingS, r.phases.publicSpreadS].map((s) => (Number.isNaN(s) ? '' : s.toFixed(2))),
      r.phases.publicStems,
      r.precisionTarget,
      r.relay === undefined ? '' : r.latencyTarget,
    ].join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}
