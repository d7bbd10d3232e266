import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { genesisHash } from '@veilnode/protocol';
import { BenchError } from './bench-error';
import type { BenchTarget } from './bench-target';
import { LoadClient } from './load-client';
import type { ClaimedChain } from './load-protocol';
import { measureLevel, type LevelResult } from './measure-level';
import { MonerodTarget } from './monerod-target';
import { formatTable } from './report';
import { VeilnodeTarget } from './veilnode-target';

const USAGE = `usage: npm run bench:node -- [--peers 100,500,1000] [--txs 3] [--warm-up 20] [--generator-warm-up 3] [--base-port 19600] [--only veilnode|monerod] [--veilnode-node-args "--cpu-prof ..."]`;

/** What a peer claims before monerod has any blocks: the genesis block (enough to let it mine). */
const GENESIS_CHAIN: ClaimedChain = { height: '1', cumulativeDifficulty: '1', topId: genesisHash('regtest').toString('hex'), topVersion: 1 };

function monerodInstalled(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v monerod && command -v monero-wallet-rpc'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function machine(): string {
  const [l1, l5, l15] = loadavg().map((l) => l.toFixed(2));
  return `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${l1} ${l5} ${l15}, Node ${process.version}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      peers: { type: 'string', default: '100,500,1000' },
      txs: { type: 'string', default: '3' },
      'warm-up': { type: 'string', default: '20' },
      // untimed bursts of the largest peer count against the generator's own responder, before measuring
      'generator-warm-up': { type: 'string', default: '3' },
      'base-port': { type: 'string', default: '19600' },
      only: { type: 'string' },
      'veilnode-node-args': { type: 'string', default: '' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const levels = values.peers.split(',').map(Number);
  const txsPerLevel = Number(values.txs);
  const basePort = Number(values['base-port']);
  const warmUpPeers = Number(values['warm-up']);
  const generatorWarmUpRounds = Number(values['generator-warm-up']);
  if (levels.some((n) => !Number.isInteger(n) || n < 2) || !Number.isInteger(txsPerLevel) || txsPerLevel < 1 || !Number.isInteger(basePort) || !Number.isInteger(warmUpPeers) || warmUpPeers < 0 || !Number.isInteger(generatorWarmUpRounds) || generatorWarmUpRounds < 0) {
    throw new BenchError('BENCH_USAGE', `bad arguments (peers ≥ 2 each, txs ≥ 1, warm-ups ≥ 0, integer base port)\n${USAGE}`);
  }
  const maxPeers = Math.max(...levels);
  const names = values.only ? [values.only] : ['veilnode', 'monerod'];
  if (names.some((n) => n !== 'veilnode' && n !== 'monerod')) throw new BenchError('BENCH_USAGE', `--only takes veilnode or monerod\n${USAGE}`);
  // real signed txs come from monerod's regtest wallet, so monerod is needed even for --only veilnode
  if (!monerodInstalled()) throw new BenchError('BENCH_NO_MONEROD', 'monerod and monero-wallet-rpc are needed (Debian package monero)');

  const head = `veilnode vs monerod 0.18, Levin load from a separate process over 127.0.0.2–254 · ${machine()}`;
  process.stdout.write(`${head}\npeers ${levels.join(' / ')}, ${txsPerLevel} tx(s) per peer count, warm-up ${warmUpPeers} connections per node, ${generatorWarmUpRounds} generator warm-up bursts\n`);
  const monerod = new MonerodTarget(basePort, maxPeers + 100);
  const veilnode = new VeilnodeTarget(basePort + 20, maxPeers + 100, values['veilnode-node-args'].split(' ').filter(Boolean));
  const load = new LoadClient();
  const results = new Map<string, LevelResult[]>(names.map((n) => [n, []]));
  // whatever ends the run, the daemons it started go with it
  const killAll = (): void => {
    veilnode.killSync();
    monerod.disposeSync();
  };
  const interrupted = (): void => {
    process.stderr.write('bench:node interrupted: stopping the nodes it started\n');
    void Promise.allSettled([load.stop(), monerod.dispose(), veilnode.stop()]).then(() => process.exit(130));
  };
  process.once('exit', killAll);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // monerod mines coins and signs the txs; it answers BUSY until a peer synchronised it
    const t0 = Date.now();
    await monerod.start();
    await load.request({ op: 'connect', host: monerod.host, port: monerod.port, count: 1, chain: GENESIS_CHAIN, timeoutMs: 30_000 });
    const txs = await monerod.makeTxs(levels.length * txsPerLevel);
    await load.request({ op: 'close' });
    const chain = await monerod.chainTop();
    await monerod.stop();
    process.stdout.write(`${txs.length} signed regtest txs from monerod's wallet in ${((Date.now() - t0) / 1000).toFixed(0)} s; peers claim height ${chain.height}\n`);
    // the generator's own JIT warm-up, so every node measured faces the same (warm) generator
    if (generatorWarmUpRounds > 0) await load.request({ op: 'warm-up', count: maxPeers, rounds: generatorWarmUpRounds, chain });

    const targets: Record<string, BenchTarget> = { veilnode, monerod };
    for (const [i, peers] of levels.entries()) {
      const levelTxs = txs.slice(i * txsPerLevel, (i + 1) * txsPerLevel).map((t) => t.blobHex);
      for (const name of names) {
        const result = await measureLevel(targets[name], load, {
          peers,
          chain,
          txs: levelTxs,
          settleMs: 2000,
          warmUpPeers,
          handshakeTimeoutMs: 60_000,
          fanOutTimeoutMs: 60_000,
        });
        results.get(name)?.push(result);
        process.stdout.write(`${name} at ${peers} peers: ${result.problems.length === 0 ? 'completed' : `INCOMPLETE — ${result.problems.join(' | ')}`}\n`);
      }
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await load.stop();
    await monerod.dispose();
    await veilnode.stop();
  }

  process.stdout.write(`\n${formatTable(levels, results, names)}\n`);
  if (names.length === 2) process.stdout.write('ratio = veilnode / monerod\n');
  const incomplete = [...results].flatMap(([name, rs]) => rs.filter((r) => r.problems.length > 0).map((r) => `${name} at ${r.peers} peers`));
  if (incomplete.length > 0) {
    process.stderr.write(`bench:node: run did not complete for ${incomplete.join(', ')}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench:node failed: ${err instanceof BenchError ? `${err.code}: ${err.message}` : (err.stack ?? err.message)}\n`);
    process.exit(1);
  },
);
