import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CLEARNET_SEEDS } from '@veilnode/clearnet';
import { VEILNODE_BIN } from '../../src/veilnode-cli';

/** A private network namespace with only loopback: root uses `unshare --net`, others a user namespace too. */
const UNSHARE = process.getuid?.() === 0 ? ['unshare', '--net'] : ['unshare', '--user', '--map-root-user', '--net'];

/**
 * `npm start` on mainnet on a machine without internet: the node dials monerod's built-in seeds
 * and says once, clearly, that no peer is reachable, and keeps running. It runs inside a network
 * namespace with no route anywhere, so the seeds are never actually reached (tests never leave
 * loopback).
 */
describe('a mainnet node on a machine without a route to the internet', function () {
  this.timeout(60_000);
  let home: string;
  before(function () {
    if (spawnSync(UNSHARE[0], [...UNSHARE.slice(1), 'true']).status !== 0) this.skip();
  });
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'veilnode-no-route-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it("dials the built-in seeds, logs one line that no clearnet peer is reachable, and keeps running", async () => {
    const command = `ip link set lo up && exec "${process.execPath}" "${VEILNODE_BIN}" --data-dir "${path.join(home, 'data')}" --p2p-bind-port 0 --rpc-bind-port 0`;
    const child = spawn(UNSHARE[0], [...UNSHARE.slice(1), 'sh', '-c', command], { env: { PATH: process.env.PATH ?? '', HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const end = Date.now() + 30_000;
      while (!out.includes('no clearnet peer is reachable') && Date.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      const records = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; peer?: string; peersTried?: number });
      const told = records.filter((r) => r.msg.startsWith('no clearnet peer is reachable'));
      expect(told, out).to.have.length(1);
      expect(told[0].level).to.equal(40); // warn
      expect(told[0].peersTried).to.equal(CLEARNET_SEEDS.mainnet.length);
      const dialled = new Set(records.filter((r) => r.msg === 'outbound peer failed').map((r) => r.peer));
      expect([...dialled]).to.have.members([...CLEARNET_SEEDS.mainnet]);
      expect(child.exitCode, 'still running').to.equal(null);
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
