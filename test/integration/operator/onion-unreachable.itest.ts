import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { OnionServiceKey } from '@veilnode/tor';
import { executableMissingReason, skipOrFailWithout } from '../../src/harness/daemon-requirement';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { until } from '../../src/until';

/**
 * The start summary of a node with an onion address (`--anonymous-inbound`) says whether that
 * address can be reached: UNREACHABLE while the zone's tor daemon is down (nothing answers on
 * its SOCKS port), a plain line once a SOCKS5 server answers there. That server is microsocks,
 * not tor: a tor answers SOCKS only with its network enabled, which would contact the public
 * directory authorities, and the zone's health is its SOCKS proxy's either way. Nothing is
 * dialled through it: no traffic leaves loopback.
 *
 * Ports from MONERO_BASE_PORT (default 18800) + 380: veilnode p2p +382, RPC +383, the zone's
 * SOCKS port +384, the onion inbound's local bind +385 (+380/+381 are scripts/pack-install-check.sh's).
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 380;
const P2P = BASE + 2;
const RPC = BASE + 3;
const SOCKS = BASE + 4;
const INBOUND_BIND = BASE + 5;
const MICROSOCKS = process.env.MICROSOCKS ?? '/usr/bin/microsocks';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('start summary: an onion address while its tor is down (real veilnode CLI; microsocks as the SOCKS port that answers)', function () {
  this.timeout(90_000);
  const onion = `${OnionServiceKey.generate().host}:18083`;
  let dir: string;
  let socks: ChildProcess | undefined;
  let node: VeilnodeProcess;

  before(async function () {
    skipOrFailWithout(this, executableMissingReason(MICROSOCKS, 'microsocks'));
    dir = await mkdtemp(join(tmpdir(), 'veilnode-onion-unreachable-'));
    node = new VeilnodeProcess({
      dir,
      name: 'node',
      rpcPort: RPC,
      config: {
        plugins: ['@veilnode/clearnet', '@veilnode/tor'],
        network: 'regtest',
        dataDir: join(dir, 'data'),
        p2p: { bindIp: '127.0.0.1', bindPort: P2P },
        rpc: { bindIp: '127.0.0.1', bindPort: RPC },
        zones: { clearnet: { enabled: true, transport: 'clearnet' }, tor: { proxy: `127.0.0.1:${SOCKS}`, inbound: { address: onion, bind: `127.0.0.1:${INBOUND_BIND}` } } },
      },
    });
  });

  after(async () => {
    await node?.stop();
    if (socks?.exitCode === null) {
      socks.kill('SIGTERM');
      await new Promise((resolve) => socks!.once('exit', resolve));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Starts the node, returns the summary's tor line, stops the node. */
  async function torSummaryLine(): Promise<string> {
    const before = (await readFile(node.logFile, 'utf8').catch(() => '')).length;
    await node.start();
    const summary = await until('the start summary', async () => {
      const text = (await readFile(node.logFile, 'utf8')).slice(before);
      return text.includes('SIGINT/SIGTERM') ? text : undefined;
    }, 10_000);
    expect(await node.stop()).to.equal(0);
    const line = summary.split('\n').find((l) => l.startsWith('  zone tor'));
    expect(line, summary).to.be.a('string');
    return line!;
  }

  it('marks the onion UNREACHABLE while nothing answers on the SOCKS port, and not once a SOCKS5 server does', async () => {
    expect(await portOpen(SOCKS), `port ${SOCKS} must be closed for this test`).to.equal(false);
    const down = await torSummaryLine();
    expect(down).to.contain(`p2p ${onion}`);
    expect(down).to.match(/ {2}UNREACHABLE while \S/);

    socks = spawn(MICROSOCKS, ['-i', '127.0.0.1', '-p', String(SOCKS)], { stdio: 'ignore' });
    await until('microsocks answering', () => portOpen(SOCKS), 10_000);
    const up = await torSummaryLine();
    expect(up).to.contain(`p2p ${onion}`);
    expect(up).not.to.contain('UNREACHABLE');
  });
});
