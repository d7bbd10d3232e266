import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';

/** The built bench:node entry point (root `tsc -b` builds it before the integration suites). */
const BENCH = resolve(__dirname, '../../../../tools/node-bench/dist/src/main.js');
const BASE_PORT = Number(process.env.VEILNODE_BENCH_ITEST_PORT ?? 24600);

const FIGURES = [
  'handshake latency p50',
  'handshake latency p99',
  'burst handshake rate',
  'CPU per handshake',
  'RSS per connection',
  'CPU per relayed tx',
  'tx fan-out to last peer',
];

describe('bench:node smoke run (20 peers, 1 tx) against veilnode and a regtest monerod', function () {
  this.timeout(600_000);

  before(function () {
    skipWithoutMonerod(this);
  });

  it('completes (exit 0) and prints every figure for both nodes and their ratio', async () => {
    const child = spawn(process.execPath, [BENCH, '--peers', '20', '--txs', '1', '--base-port', String(BASE_PORT)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code, `bench:node exited ${code}\n${stdout}\n${stderr}`).to.equal(0);
    expect(stdout).to.contain('| figure | peers | veilnode | monerod | ratio |');
    expect(stdout).to.contain('veilnode at 20 peers: completed');
    expect(stdout).to.contain('monerod at 20 peers: completed');
    for (const figure of FIGURES) {
      const row = stdout.split('\n').find((line) => line.startsWith(`| ${figure} `));
      expect(row, figure).to.not.equal(undefined);
      // | figure (unit) | 20 | veilnode | monerod | ratio |: both columns hold a measured number
      const cells = row!.split('|').map((c) => c.trim());
      expect(cells[2], row).to.equal('20');
      expect(Number.isFinite(Number(cells[3])), row).to.equal(true);
      expect(Number.isFinite(Number(cells[4])), row).to.equal(true);
    }
  });
});
