import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MonerodHarness, monerodAvailable } from '../../src/harness/monerod';
import type { HarnessOnion } from '../../src/harness/tor';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { until } from '../../src/until';
import { torFixture, type TorFixture } from './fixture';

/**
 * veilnode with only a Tor zone, whose upstream daemon is a regtest monerod's RPC reached as an
 * onion service on the private Tor network: the chain RPC a wallet asks is forwarded through
 * the tor zone's transport. Ports from MONERO_BASE_PORT + 294: monerod p2p +0, RPC +1;
 * veilnode RPC +4. Tor ports: the shared network's.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 294;
const VEILNODE_RPC = BASE + 4;
const ONION_RPC_PORT = 18081;

describe('an onion upstream: veilnode forwards chain RPC to a monerod over the private Tor network', function () {
  this.timeout(300_000);
  let fx: TorFixture;
  let dir: string;
  let onion: HarnessOnion | undefined;
  let node: VeilnodeProcess | undefined;
  const monerod = new MonerodHarness({ basePort: BASE });

  before(async function () {
    if (!monerodAvailable()) {
      console.warn('    skipped: monerod not installed (CI installs the Debian monero package)');
      this.skip();
    }
    fx = await torFixture(this);
    dir = await mkdtemp(join(tmpdir(), 'veilnode-onion-upstream-'));
    await monerod.start();
    onion = await fx.net.addOnion(monerod.rpcPort, ONION_RPC_PORT);
    node = new VeilnodeProcess({
      dir,
      rpcPort: VEILNODE_RPC,
      config: {
        plugins: ['@veilnode/tor'],
        network: 'regtest',
        dataDir: join(dir, 'data'),
        log: { level: 'info' },
        rpc: { bindIp: '127.0.0.1', bindPort: VEILNODE_RPC, upstream: { address: `http://${onion.hostname}:${ONION_RPC_PORT}`, connectTimeoutMs: 60_000 } },
        // Tor only: no clearnet socket at all, so the upstream can only be reached over Tor
        zones: { clearnet: { enabled: false }, tor: { proxy: `socks5://127.0.0.1:${fx.net.socksPort}` } },
      },
    });
    await node.start();
  });

  after(async function () {
    this.timeout(60_000);
    await node?.stop();
    await monerod.stop();
    await onion?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers get_version, /get_height and get_info’s chain fields from the onion monerod', async () => {
    const rpc = node as VeilnodeProcess;
    const t0 = Date.now();
    // a new onion's descriptor takes seconds to minutes to spread: the first calls may fail (as monerod's bootstrap answers)
    const version = await until('get_version through the onion upstream', () => rpc.rpc<{ version?: number }>('get_version').then((r) => r.version, () => undefined), 180_000, 2_000);
    console.log(`      first forwarded answer after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(version).to.be.a('number');
    const direct = await monerod.getInfo();
    expect(await rpc.json<{ height: number }>('/get_height', {})).to.include({ height: direct.height });
    const info = await rpc.rpc<Record<string, unknown>>('get_info');
    expect(info).to.include({ height: direct.height, top_block_hash: direct.top_block_hash, was_bootstrap_ever_used: true, bootstrap_daemon_address: `http://${onion?.hostname}:${ONION_RPC_PORT}` });
  });
});
