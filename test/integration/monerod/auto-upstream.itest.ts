import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { composeClearnetNode, type Veilnode } from '../../src/clearnet-node';
import { MonerodHarness } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { until } from '../../src/until';

/**
 * `--bootstrap-daemon-address auto` against real monerods: two regtest monerods started with
 * `--public-node --rpc-restricted-bind-port` (on separate chains: not peered with each other),
 * veilnode's two exclusive peers. veilnode learns their RPC ports from their handshakes, forwards
 * chain requests to one of them, and when that one is stopped (by PID) switches to the other.
 * A second veilnode with a Tor zone enabled never uses the clearnet one that is left.
 * Ports from MONERO_BASE_PORT + 400: monerod A p2p +0, RPC +1, restricted RPC +3; monerod B
 * +10, +11, +13; veilnode p2p +18; the second veilnode p2p +19, its Tor zone's SOCKS proxy +2
 * (nothing listens there).
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 400;
const OUR_P2P = BASE + 18;
/** Any valid mainnet-format address: regtest mines to it. */
const MINER = '44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A';
const NO_PUBLIC_NODE = /no public RPC node is known yet/;

interface PublicMonerod {
  readonly name: string;
  readonly harness: MonerodHarness;
  /** Its restricted RPC port: what it advertises and what veilnode uses. */
  readonly publicPort: number;
}

function publicMonerod(name: string, base: number): PublicMonerod {
  const publicPort = base + 3;
  const harness = new MonerodHarness({
    basePort: base,
    exclusive: [`127.0.0.1:${OUR_P2P}`],
    extraArgs: `--public-node --rpc-restricted-bind-ip 127.0.0.1 --rpc-restricted-bind-port ${publicPort}`,
  });
  return { name, harness, publicPort };
}

async function post(rpc: string, path: string, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`http://${rpc}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('--bootstrap-daemon-address auto with real public monerods', function () {
  this.timeout(180_000);
  const a = publicMonerod('A', BASE);
  const b = publicMonerod('B', BASE + 10);
  const logger = new RecordingLogger();
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  let dir: string;
  let node: Veilnode | undefined;
  let rpc: string;
  let withTor: Veilnode | undefined;
  /** The monerod left running by the switch test. */
  let remaining: PublicMonerod | undefined;

  before(async function () {
    skipWithoutMonerod(this);
    dir = await mkdtemp(join(tmpdir(), 'veilnode-auto-upstream-itest-'));
    const { veilnode } = await composeClearnetNode({
      dir,
      p2pPort: OUR_P2P,
      exclusivePeer: `127.0.0.1:${a.harness.p2pPort}`,
      logger,
      args: ['--bootstrap-daemon-address', 'auto', '--add-exclusive-node', `127.0.0.1:${a.harness.p2pPort}`, '--add-exclusive-node', `127.0.0.1:${b.harness.p2pPort}`],
      compose: { peers: { maintenanceIntervalMs: 500, allowLoopback: true } },
    });
    node = veilnode;
    rpc = (await veilnode.start()).rpc as string;
  });

  after(async () => {
    await withTor?.stop();
    await node?.stop();
    await Promise.all([a.harness.stop(), b.harness.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
    console.log(`    timings (s): ${JSON.stringify(timings)}`);
  });

  it('before any peer advertises a node, chain requests get the failed-bootstrap answer', async () => {
    const plain = await post(rpc, '/get_height', {});
    expect(plain.status).to.equal(500);
    expect(plain.json.reason).to.match(NO_PUBLIC_NODE);
    const call = await post(rpc, '/json_rpc', { jsonrpc: '2.0', id: '0', method: 'get_block_count' });
    expect((call.json.error as { code: number; message: string }).code).to.equal(0);
    expect((call.json.error as { code: number; message: string }).message).to.match(NO_PUBLIC_NODE);
  });

  it('learns the RPC port each monerod advertises in its handshake and forwards to one of them, then to the other once it is stopped', async () => {
    await Promise.all([a.harness.start(), b.harness.start()]);
    timings.monerodsUpS = (Date.now() - t0) / 1000;
    const veilnode = node as Veilnode;
    await until('ready connections to both monerods', () => veilnode.peers.layer.connections('clearnet').filter((c) => c.state === 'ready' && c.direction === 'outbound').length === 2, 60_000);
    // monerod 0.18 --public-node advertises its restricted RPC port in the handshake, also on loopback/regtest
    const white = veilnode.peers.store('clearnet')?.white() ?? [];
    expect(white.map((e) => [e.address.port, e.rpcPort]).sort()).to.deep.equal([
      [a.harness.p2pPort, a.publicPort],
      [b.harness.p2pPort, b.publicPort],
    ]);
    // B's chain grows apart from A's (they are not peers): get_height tells which one answered
    await b.harness.generateBlocks(3, MINER);
    const height = { [a.publicPort]: 1, [b.publicPort]: 4 };

    const label = await until('an upstream in use', async () => ((await post(rpc, '/get_info', {})).json.bootstrap_daemon_address as string) || undefined, 30_000);
    timings.firstUpstreamS = (Date.now() - t0) / 1000;
    const [first, second] = label === `http://127.0.0.1:${a.publicPort}` ? [a, b] : [b, a];
    expect(label).to.equal(`http://127.0.0.1:${first.publicPort}`);
    expect((await post(rpc, '/get_height', {})).json.height).to.equal(height[first.publicPort]);
    const count = await post(rpc, '/json_rpc', { jsonrpc: '2.0', id: '0', method: 'get_block_count' });
    expect((count.json.result as { count: number }).count).to.equal(height[first.publicPort]);

    await first.harness.stop();
    const stoppedAt = Date.now();
    let failed = 0;
    await until(
      `get_height answered by ${second.name}`,
      async () => {
        const answer = await post(rpc, '/get_height', {});
        if (answer.status !== 200) failed++;
        return answer.status === 200 && answer.json.height === height[second.publicPort];
      },
      30_000,
    );
    timings.switchS = (Date.now() - stoppedAt) / 1000;
    remaining = second;
    timings.failedWhileSwitching = failed;
    expect((await post(rpc, '/get_info', {})).json.bootstrap_daemon_address).to.equal(`http://127.0.0.1:${second.publicPort}`);
    const changes = logger.entries.filter((e) => (e.fields as { event?: string }).event === 'upstream_changed');
    expect(changes.map((e) => [e.level, (e.fields as { zone?: string; upstream?: string }).zone, (e.fields as { upstream?: string }).upstream])).to.deep.equal([
      ['info', 'clearnet', `http://127.0.0.1:${first.publicPort}`],
      ['info', 'clearnet', `http://127.0.0.1:${second.publicPort}`],
    ]);
  });

  it('with a Tor zone enabled, a clearnet public node is never used: chain requests wait for a Tor one', async function () {
    if (remaining === undefined) this.skip();
    const left = remaining as PublicMonerod;
    const torLogger = new RecordingLogger();
    const { veilnode } = await composeClearnetNode({
      dir: await mkdtemp(join(dir, 'with-tor-')),
      p2pPort: BASE + 19,
      exclusivePeer: `127.0.0.1:${left.harness.p2pPort}`,
      logger: torLogger,
      plugins: ['@veilnode/tor'],
      args: ['--bootstrap-daemon-address', 'auto', '--tx-proxy', `tor,127.0.0.1:${BASE + 2}`],
      compose: { peers: { maintenanceIntervalMs: 500, allowLoopback: true } },
    });
    withTor = veilnode;
    const torRpc = (await veilnode.start()).rpc as string;
    await until('the clearnet public node on the white list', () => veilnode.peers.store('clearnet')?.white().some((e) => e.rpcPort === left.publicPort), 60_000);
    // 3 of AutoUpstream's 2 s looks at the peer lists, each of which would have taken it
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const answer = await post(torRpc, '/get_height', {});
    expect(answer.status).to.equal(500);
    expect(answer.json.reason).to.match(NO_PUBLIC_NODE);
    const events = torLogger.entries.map((e) => e.fields as { event?: string; zones?: string[] });
    expect(events.filter((e) => e.event === 'upstream_changed')).to.deep.equal([]);
    expect(events.find((e) => e.event === 'upstream_waiting')?.zones).to.deep.equal(['tor']);
  });
});
