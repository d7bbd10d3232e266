import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The built bench:flood entry point (root `tsc -b` builds it before the integration suites). */
const FLOOD = resolve(__dirname, '../../../../tools/node-bench/dist/src/flood/flood-main.js');
const BASE_PORT = Number(process.env.MONERO_BASE_PORT ?? 18800) + 300;

interface Phase {
  rssMaxMb: number;
  rpcP99Ms: number;
  rpcAnswers: number;
  flood: { txs: number; bytes: number; connections: number };
}

/** Runs veilnode's CLI under one flooding peer and 8 clients that never read, for `seconds`. */
async function flood(junk: 'small' | 'well-formed', seconds: number, port: number): Promise<Phase> {
  const args = [FLOOD, '--duration', String(seconds), '--junk', junk, '--base-port', String(port), '--flood-only', '--json'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  expect(code, `bench:flood exited ${code}\n${stdout}\n${stderr}`).to.equal(0);
  process.stdout.write(`${stdout.split('\n').filter((l) => l.startsWith('|')).join('\n')}\n`);
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { flood: Phase }).flood;
}

// Issue 17 items 1 and 2, at full size, against the real CLI: one peer floods junk txs at line
// rate (reconnecting whenever the node closes it) while 8 clients ask for the pool listing and
// never read. Before the fix 3.5 MB of 5-byte txs took RSS from 94 to 637 MB, the listing 6.6 s.
describe('junk tx flood against veilnode (issue 17, items 1 and 2)', function () {
  this.timeout(180_000);

  it('5-byte junk (v1, no inputs, no outputs): far more than 3.5 MB sent, RSS stays low and the pool listing answers within 1 s', async () => {
    const result = await flood('small', 15, BASE_PORT);
    expect(result.flood.bytes).to.be.above(3.5 * 2 ** 20);
    expect(result.rssMaxMb).to.be.below(200);
    expect(result.rpcAnswers).to.be.above(10);
    expect(result.rpcP99Ms).to.be.below(1000);
  });

  it('junk that passes every relay rule: the node closes the flooder again and again, RSS stays low and the listing answers within 1 s', async () => {
    const result = await flood('well-formed', 20, BASE_PORT + 2);
    expect(result.flood.connections).to.be.above(5); // the node closed the flooder again and again
    expect(result.rssMaxMb).to.be.below(400);
    expect(result.rpcAnswers).to.be.above(10);
    expect(result.rpcP99Ms).to.be.below(1000);
  });
});
