import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { tempDir } from '../../src/testing/fixtures';

/** The repository this test was built from (packages/node/dist/test/cli → repo root). */
const REPO = path.resolve(__dirname, '..', '..', '..', '..', '..');

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The README's promise, end to end: a fresh clone of the committed tree, `npm ci` (offline, from
 * the npm cache the outer install filled), then `npx veilnode --help` and `npm start`.
 */
describe('fresh clone: npm ci, npx veilnode --help, npm start', function () {
  this.timeout(300_000);
  let tmp: { dir: string; cleanup: () => void };
  before(() => {
    tmp = tempDir('veilnode-clone-');
  });
  after(() => tmp.cleanup());

  it('installs built, runs the bin, and starts on the embedded default config', async () => {
    const clone = path.join(tmp.dir, 'repo');
    sh('git', ['clone', '--quiet', REPO, clone], tmp.dir);
    sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], clone);
    expect(sh('git', ['status', '--porcelain'], clone), 'the build leaves the tree clean').to.equal('');
    expect(sh('npx', ['--no-install', 'veilnode', '--help'], clone)).to.contain('usage: veilnode [options]');

    // regtest: mainnet would dial the built-in seed nodes, and a test never leaves loopback
    const env = { PATH: process.env.PATH, HOME: tmp.dir, VEILNODE_NETWORK: 'regtest', VEILNODE_DATA_DIR: path.join(tmp.dir, 'data'), VEILNODE_P2P_BIND_PORT: '0', VEILNODE_RPC_BIND_PORT: '0' };
    // `npm start` runs this exact command; spawning node directly gives us its pid to signal.
    const startScript = (JSON.parse(sh('npm', ['pkg', 'get', 'scripts.start'], clone)) as string).split(' ');
    expect(startScript[0]).to.equal('node');
    const child = spawn(process.execPath, startScript.slice(1), { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const end = Date.now() + 15_000;
      while (!out.includes('SIGINT/SIGTERM') && Date.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(out).to.match(/rpc\s+http:\/\/127\.0\.0\.1:\d+\/json_rpc/);
      for (const [, address] of out.matchAll(/p2p (\S+)/g)) {
        const i = address.lastIndexOf(':');
        const connected = await new Promise<boolean>((resolve) => {
          const s = connect(Number(address.slice(i + 1)), address.slice(0, i));
          s.once('connect', () => resolve(true));
          s.once('error', () => resolve(false));
          s.once('connect', () => s.destroy());
        });
        expect(connected, `TCP connect to ${address}`).to.equal(true);
      }
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
