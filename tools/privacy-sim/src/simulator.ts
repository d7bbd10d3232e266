import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { byTx, ESTIMATORS, type EstimatorName } from './estimators';
import { linkability, type Linkability } from './linkability';
import { accuracy, percentile, propagationTimes } from './metrics';
import { runMode, type ModeRun, type PrivateBroadcastTotals } from './run-mode';
import { checkParams, MODES, type Mode, type SimParams } from './sim-params';
import { buildTopology, spyCount, type Topology } from './topology';

export interface ResultRow {
  readonly mode: Mode;
  readonly spyShare: number;
  readonly estimator: EstimatorName;
  readonly precision: number;
  readonly recall: number;
  /** Seconds from submission until 90 % of nodes had the tx: median and 99th percentile over txs. */
  readonly propagationP50s: number;
  readonly propagationP99s: number;
  /** All bytes every node put on its links during the run (noise included), per tx and node. */
  readonly bytesPerTxPerNode: number;
}

export interface SimReport {
  readonly params: SimParams;
  readonly rows: ResultRow[];
  /** The hidden-service adversary's linkability, per anonymity mode and spy share. */
  readonly linkability: readonly (Linkability & { readonly mode: Mode })[];
  /** Wall-clock milliseconds per mode, and in total. */
  readonly wallMs: Record<string, number>;
  readonly deliveries: Record<string, number>;
  /** The carriers mode's EchoTracker totals. */
  readonly privateBroadcast: PrivateBroadcastTotals | undefined;
}

/** One simulator run to do: a mode with its params (same topology for every job of a batch). */
export interface SimJob {
  readonly mode: Mode;
  readonly params: SimParams;
}

/** Runs one job in a worker thread (the topology is rebuilt there from the same seed). */
function runInWorker({ mode, params }: SimJob): Promise<ModeRun> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'mode-worker.js'), { workerData: { mode, params } });
    worker.once('message', (run: ModeRun) => resolve(run));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`simulation worker for ${mode} exited with code ${code}`));
    });
  });
}

/** Runs the jobs on `workers` threads (1: in this thread, one after another); results in job order. */
export async function runJobs(jobs: readonly SimJob[], topology: Topology, workers: number, onDone: (run: ModeRun, job: SimJob) => void): Promise<ModeRun[]> {
  const runs: ModeRun[] = new Array<ModeRun>(jobs.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < jobs.length; i = next++) {
      const job = jobs[i];
      runs[i] = workers <= 1 ? await runMode(job.mode, job.params, topology) : await runInWorker(job);
      onDone(runs[i], job);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, jobs.length)) }, lane));
  return runs;
}

/** Worker threads when none are asked for: one per job up to `cap`, none on a single core. */
export function defaultWorkers(cap: number): number {
  // One thread per job even on 2 cores: the OS shares them, so the run takes about the total
  // CPU time / cores instead of two jobs back to back on one core.
  return availableParallelism() > 1 ? cap : 1;
}

/** Turns one mode's raw run into result rows: every spy share × every estimator. */
export function evaluate(run: ModeRun, params: SimParams, topology: Topology): ResultRow[] {
  const groups = byTx(run.observations, params.txs);
  const times = propagationTimes(run.firstArrival, run.submittedAt, topology.nodes);
  const common = {
    mode: run.mode,
    propagationP50s: percentile(times, 0.5) / 1000,
    propagationP99s: percentile(times, 0.99) / 1000,
    bytesPerTxPerNode: run.bytesSent / params.txs / topology.nodes,
  };
  const rows: ResultRow[] = [];
  for (const spyShare of params.spyShares) {
    const view = { observations: run.observations, topology, txs: params.txs, spies: spyCount(topology.nodes, spyShare) };
    for (const [estimator, guess] of Object.entries(ESTIMATORS) as [EstimatorName, (typeof ESTIMATORS)[EstimatorName]][]) {
      rows.push({ ...common, spyShare, estimator, ...accuracy(topology.origins, guess(view, groups)) });
    }
  }
  return rows;
}

/** The whole experiment: one topology, every mode, every estimator at every spy share. */
export async function simulate(params: SimParams, options: { workers?: number; onModeDone?: (run: ModeRun) => void } = {}): Promise<SimReport> {
  const started = performance.now();
  checkParams(params);
  const topology = buildTopology(params);
  const workers = options.workers ?? defaultWorkers(MODES.length);
  const onDone = options.onModeDone ?? (() => undefined);
  const runs = await runJobs(
    MODES.map((mode) => ({ mode, params })),
    topology,
    workers,
    (run) => onDone(run),
  );
  const wallMs: Record<string, number> = {};
  const deliveries: Record<string, number> = {};
  for (const run of runs) {
    wallMs[run.mode] = run.wallMs;
    deliveries[run.mode] = run.deliveries;
  }
  const rows = runs.flatMap((run) => evaluate(run, params, topology));
  const links = runs
    .filter((run) => run.mode === 'veilnode' || run.mode === 'carriers')
    .flatMap((run) => params.spyShares.map((p) => ({ mode: run.mode, ...linkability(run.handoffs, topology, run.submittedAt, p, params.linkWindowMs) })));
  wallMs.total = performance.now() - started;
  return { params, rows, linkability: links, wallMs, deliveries, privateBroadcast: runs.find((run) => run.mode === 'carriers')?.privateBroadcast };
}
