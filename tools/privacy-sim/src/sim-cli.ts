import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '@veilnode/plugin-api';
import { DEFAULT_PARAMS, QUICK_PARAMS, type SimParams } from './sim-params';
import { simulate } from './simulator';
import { carrierTargets, linkabilityCsv, linkabilityTable, toCsv, toSvg, toTable } from './sim-report';
import { SWEEP_SIZE, sweep, sweepCsv, sweepTable } from './sweep';

const USAGE = 'usage: npm run sim -- [--sweep] [--nodes N] [--txs N] [--seed N] [--quick] [--workers N] [--out DIR]';

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ConfigError(`--${name} must be a whole number, got ${JSON.stringify(text)}`, { path: name });
  return Number(text);
}

/** `npm run sim`: runs the privacy simulator, prints the table, writes sim.csv and sim.svg. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string' },
      txs: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      quick: { type: 'boolean', default: false },
      sweep: { type: 'boolean', default: false },
      out: { type: 'string', default: 'sim-results' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const base: SimParams = { ...DEFAULT_PARAMS, ...(values.sweep ? SWEEP_SIZE : {}), ...(values.quick ? QUICK_PARAMS : {}) };
  const params: SimParams = {
    ...base,
    nodes: integer('nodes', values.nodes) ?? base.nodes,
    txs: integer('txs', values.txs) ?? base.txs,
    seed: integer('seed', values.seed) ?? base.seed,
  };
  const workers = integer('workers', values.workers);
  if (values.sweep) {
    console.log(`privacy simulator sweep: ${params.nodes} nodes × ${params.txs} txs, seed ${params.seed}, veilnode mode at each relay setting vs plain diffusion`);
    const report = await sweep(params, undefined, { workers, onRunDone: (label, run) => console.error(`  ${label}: ${(run.wallMs / 1000).toFixed(1)} s`) });
    console.log(sweepTable(report));
    console.log(`\nphases are medians over txs (s); targets: first-spy precision ≤ p²·ln(1/p) at every p, reach-90 % p50 ≤ 2 × diffusion's\nwall time ${(report.wallMs / 1000).toFixed(1)} s`);
    mkdirSync(values.out, { recursive: true });
    writeFileSync(join(values.out, 'sweep.csv'), sweepCsv(report));
    console.log(`wrote ${join(values.out, 'sweep.csv')}`);
    return;
  }
  console.log(`privacy simulator: ${params.nodes} nodes × ${params.txs} txs, seed ${params.seed}, spy shares ${params.spyShares.join('/')}`);
  const report = await simulate(params, {
    workers,
    onModeDone: (run) => console.error(`  ${run.mode}: ${(run.wallMs / 1000).toFixed(1)} s, ${run.deliveries} deliveries`),
  });
  console.log(toTable(report));
  console.log(`\nhidden-service adversary (share p of the anonymity nodes), pairs of one sender's txs within ${params.linkWindowMs / 60_000} min:\n${linkabilityTable(report)}`);
  const pb = report.privateBroadcast;
  if (pb !== undefined) console.log(`carriers: ${pb.delivered} of ${params.txs} txs delivered by echo; ${pb.carriersUsed} carriers used (${(pb.carriersUsed / params.txs).toFixed(2)} per tx), ${pb.sent} sends, ${pb.resent} txs sent again on new carriers`);
  const targets = carrierTargets(report);
  console.log(`carriers targets: linkability 0 ${targets.linkabilityZero ? 'yes' : 'no'}; first-spy precision <= p²·ln(1/p) at every p ${targets.precision ? 'yes' : 'no'}; reach-90 % p50 <= veilnode's ${targets.latency ? 'yes' : 'no'}`);
  const seconds = Object.entries(report.wallMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');
  console.log(`\nwall time: ${seconds}; deliveries: ${Object.entries(report.deliveries).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'sim.csv'), toCsv(report));
  writeFileSync(join(values.out, 'sim.svg'), toSvg(report));
  writeFileSync(join(values.out, 'linkability.csv'), linkabilityCsv(report));
  console.log(`wrote ${join(values.out, 'sim.csv')}, ${join(values.out, 'sim.svg')} and ${join(values.out, 'linkability.csv')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `${err.message}\n${USAGE}` : err);
  process.exitCode = 1;
});
