import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BenchError } from '../bench-error';
import { percentile } from '../percentile';
import { residentBytes } from '../process-usage';
import { VeilnodeTarget } from '../veilnode-target';
import { JunkFlooder, type FloodStats, type JunkKind } from './junk-flooder';
import { RpcProber, stalledReaders } from './rpc-prober';

const USAGE = 'usage: npm run bench:flood -- [--duration 60] [--junk well-formed|small] [--stalled-readers 8] [--base-port 19700] [--flood-only] [--json]';
const POOL_PATH = '/get_transaction_pool';

export interface PhaseResult {
  readonly phase: 'idle' | 'flood';
  readonly rssMaxMb: number;
  readonly rssEndMb: number;
  readonly rpcP50Ms: number;
  readonly rpcP99Ms: number;
  readonly rpcMaxMs: number;
  readonly rpcAnswers: number;
  readonly flood?: FloodStats;
}

/** One phase against a running node: RSS and pool-listing latency, with or without a flooder. */
async function phase(node: VeilnodeTarget, name: PhaseResult['phase'], durationMs: number, junk: JunkKind, readers: number): Promise<PhaseResult> {
  const prober = new RpcProber(node.host, node.rpcPort, POOL_PATH);
  const flooder = name === 'flood' ? new JunkFlooder(node.host, node.port, junk) : undefined;
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(residentBytes(node.pid)), 250);
  // stalled readers are cut off by the node after 10 s: a new set every 5 s keeps them there
  let stalled = stalledReaders(node.host, node.rpcPort, POOL_PATH, readers);
  const renew = setInterval(() => {
    for (const s of stalled) s.destroy();
    stalled = stalledReaders(node.host, node.rpcPort, POOL_PATH, readers);
  }, 5_000);
  flooder?.start();
  prober.start();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  prober.stop();
  await flooder?.stop();
  clearInterval(renew);
  clearInterval(sampler);
  for (const s of stalled) s.destroy();
  const mb = (b: number) => Math.round(b / 2 ** 20);
  const l = prober.latenciesMs;
  return {
    phase: name,
    rssMaxMb: mb(Math.max(...rss)),
    rssEndMb: mb(rss.at(-1) ?? Number.NaN),
    rpcP50Ms: Math.round(percentile(l, 0.5)),
    rpcP99Ms: Math.round(percentile(l, 0.99)),
    rpcMaxMs: Math.round(Math.max(...l)),
    rpcAnswers: l.length,
    flood: flooder?.stats,
  };
}

function table(idle: PhaseResult | undefined, flood: PhaseResult): string {
  const rows: [string, (r: PhaseResult) => string][] = [
    ['RSS max (MB)', (r) => String(r.rssMaxMb)],
    ['RSS at the end (MB)', (r) => String(r.rssEndMb)],
    [`${POOL_PATH} p50 (ms)`, (r) => String(r.rpcP50Ms)],
    [`${POOL_PATH} p99 (ms)`, (r) => String(r.rpcP99Ms)],
    [`${POOL_PATH} max (ms)`, (r) => String(r.rpcMaxMs)],
    ['pool listings answered', (r) => String(r.rpcAnswers)],
    ['junk sent (txs / MB / connections)', (r) => (r.flood ? `${r.flood.txs} / ${(r.flood.bytes / 2 ** 20).toFixed(1)} / ${r.flood.connections}` : '-')],
  ];
  return ['| figure | no flood | flood |', '|---|---|---|', ...rows.map(([name, f]) => `| ${name} | ${idle ? f(idle) : '-'} | ${f(flood)} |`)].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      junk: { type: 'string', default: 'well-formed' },
      'stalled-readers': { type: 'string', default: '8' },
      'base-port': { type: 'string', default: '19700' },
      json: { type: 'boolean', default: false },
      // the attack alone (tests assert its bounds; the benchmark compares it with an idle node)
      'flood-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const durationMs = Number(values.duration) * 1000;
  const readers = Number(values['stalled-readers']);
  const basePort = Number(values['base-port']);
  const junk = values.junk as JunkKind;
  if (!(durationMs > 0) || !Number.isInteger(readers) || readers < 0 || !Number.isInteger(basePort) || (junk !== 'small' && junk !== 'well-formed')) {
    throw new BenchError('BENCH_USAGE', `bad arguments\n${USAGE}`);
  }
  const node = new VeilnodeTarget(basePort, 8, [], basePort + 1);
  const kill = (): void => node.killSync();
  process.once('exit', kill);
  await node.start();
  try {
    const idle = values['flood-only'] ? undefined : await phase(node, 'idle', durationMs, junk, readers);
    const flood = await phase(node, 'flood', durationMs, junk, readers);
    const [l1, l5, l15] = loadavg().map((x) => x.toFixed(2));
    process.stdout.write(`bench:flood: veilnode (regtest, clearnet, loopback), ${values.duration} s per phase, one peer flooding ${junk} junk at line rate (reconnecting when closed), ${readers} clients asking ${POOL_PATH} and never reading\n`);
    process.stdout.write(`machine: ${cpus().length} CPUs, load average ${l1} ${l5} ${l15}, Node ${process.version}\n\n${table(idle, flood)}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify({ idle, flood })}\n`);
  } finally {
    await node.stop();
    process.off('exit', kill);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench:flood failed: ${err.message}\n`);
    process.exit(1);
  },
);
