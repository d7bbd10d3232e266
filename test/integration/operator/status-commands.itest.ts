import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MonerodHarness } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { until } from '../../src/until';
import { VEILNODE_BIN } from '../../src/veilnode-cli';

/**
 * An operator asking a running node what it does, as with monerod: the real veilnode CLI
 * (`status`, `print_cn`, `print_pl`) against a running veilnode process whose one peer is a real
 * regtest monerod, and the restricted second RPC listener.
 *
 * Ports from MONERO_BASE_PORT (default 18800) + 340: veilnode RPC +340, restricted RPC +341, p2p
 * +342; monerod p2p +345, rpc +346 (and the harness's +347..+350).
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 340;
const RPC = BASE;
const RESTRICTED_RPC = BASE + 1;
const P2P = BASE + 2;
const METRICS = BASE + 3;
const MONEROD = BASE + 5;

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VEILNODE_BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('veilnode status / print_cn / print_pl against a running node (real processes, loopback)', function () {
  this.timeout(120_000);
  const monerod = new MonerodHarness({ basePort: MONEROD });
  let dir: string;
  let node: VeilnodeProcess;

  before(async function () {
    skipWithoutMonerod(this);
    dir = await mkdtemp(join(tmpdir(), 'veilnode-status-itest-'));
    await monerod.start();
    node = new VeilnodeProcess({
      dir,
      name: 'node',
      rpcPort: RPC,
      config: {
        plugins: ['@veilnode/clearnet'],
        network: 'regtest',
        dataDir: join(dir, 'data'),
        p2p: { bindIp: '127.0.0.1', bindPort: P2P },
        rpc: { bindIp: '127.0.0.1', bindPort: RPC, restrictedBindPort: RESTRICTED_RPC },
        zones: { clearnet: { enabled: true, transport: 'clearnet', exclusivePeers: [`127.0.0.1:${monerod.p2pPort}`] } },
        metrics: { bind: `127.0.0.1:${METRICS}` },
      },
    });
    await node.start();
    await until('the node connected to monerod', async () => (await node.rpc<{ connections?: unknown[] }>('get_connections')).connections?.length === 1, 30_000);
  });

  after(async () => {
    await node?.stop();
    await monerod.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('status shows the network, and the clearnet zone healthy with its one outbound peer and noise off', async () => {
    const result = await cli(['--config', node.configFile, 'status'], dir);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^veilnode \S+ on regtest, uptime 0d 0h \dm \d+s\nlocal txs: 0 queued, 0 in flight/);
    expect(result.stdout).to.match(/\nclearnet +clearnet +ok +0\/1 +0 +off\n/);
  });

  it('print_cn lists the monerod connection; print_pl the peer it learnt it from', async () => {
    const cn = await cli(['--config', node.configFile, 'print_cn'], dir);
    expect(cn.code, cn.stderr).to.equal(0);
    expect(cn.stdout).to.match(new RegExp(`\\nclearnet +127\\.0\\.0\\.1:${monerod.p2pPort} +OUT +normal `));
    const pl = await cli(['--config', node.configFile, 'print_pl'], dir);
    expect(pl.code, pl.stderr).to.equal(0);
    expect(pl.stdout).to.match(/^clearnet: \d+ peers\n/);
  });

  it('--rpc-bind-port picks the node to ask: the restricted listener refuses status, a closed port says the node is not running', async () => {
    // (the node's own restricted port setting moves aside: one port cannot be both listeners)
    const restricted = await cli(['--config', node.configFile, '--rpc-bind-port', String(RESTRICTED_RPC), '--rpc-restricted-bind-port', '0', 'status'], dir);
    expect(restricted.code, restricted.stderr).to.equal(1);
    expect(restricted.stderr).to.contain('get_zones');
    const closed = await cli(['--config', node.configFile, '--rpc-bind-port', String(BASE + 4), 'print_cn'], dir);
    expect(closed.code).to.equal(1);
    expect(closed.stderr).to.contain(`cannot reach the node's RPC at 127.0.0.1:${BASE + 4}`);
  });

  it("the node's info log says when clearnet gained its first peer, and no line repeats a key", async () => {
    const log = await readFile(node.logFile, 'utf8');
    expect(log).to.contain('"msg":"zone clearnet has its first peer"');
    for (const line of log.split('\n').filter((l) => l.startsWith('{'))) {
      for (const key of ['zone', 'component', 'transport']) expect(line.split(`"${key}":`).length, line).to.be.at.most(2);
    }
  });

  it('--metrics-bind serves Prometheus text: peers, dials, handshakes, local txs and RPC requests, never a peer address', async () => {
    await node.rpc('get_connections');
    const response = await fetch(`http://127.0.0.1:${METRICS}/metrics`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.contain('text/plain');
    const text = await response.text();
    expect(text).to.contain('veilnode_peers{zone="clearnet",direction="out"} 1\n');
    expect(text).to.contain('veilnode_peers{zone="clearnet",direction="in"} 0\n');
    expect(text).to.contain('veilnode_zone_healthy{zone="clearnet"} 1\n');
    expect(text).to.match(/veilnode_dials_total\{zone="clearnet",outcome="ok"\} [1-9]/);
    expect(text).to.match(/veilnode_handshakes_total\{zone="clearnet",direction="outbound",outcome="ok"\} [1-9]/);
    expect(text).to.contain('veilnode_local_txs{state="queued"} 0\n');
    expect(text).to.match(/veilnode_rpc_requests_total\{method="get_connections",status="ok"\} [1-9]/);
    expect(text, 'no peer address as a label').to.not.contain(String(monerod.p2pPort));
    expect((await fetch(`http://127.0.0.1:${METRICS}/other`)).status).to.equal(404);
  });
});
