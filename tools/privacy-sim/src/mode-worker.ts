import { parentPort, workerData } from 'node:worker_threads';
import { runMode } from './run-mode';
import type { Mode, SimParams } from './sim-params';
import { buildTopology } from './topology';

/** Worker-thread entry: runs one simulator mode and hands the typed arrays back without copying. */
async function main(): Promise<void> {
  const { mode, params } = workerData as { mode: Mode; params: SimParams };
  const run = await runMode(mode, params, buildTopology(params));
  const o = run.observations;
  const m = run.milestones;
  const h = run.handoffs;
  const buffers = [o.tx, o.spy, o.from, o.at, o.stem, h.tx, h.to, h.connection, run.firstArrival, run.submittedAt, m.anonymitySentAt, m.anonymityArrivedAt, m.publicSentAt].map((a) => a.buffer as ArrayBuffer);
  parentPort?.postMessage(run, buffers);
}

void main();
