import { parseSocksProxy } from '@veilnode/plugin-api';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TOR_CONFIG, OnionServiceKey, OnionV3Codec, ONION_KEY_FILE, TorTransport } from '@veilnode/tor';
import { MonerodHarness, type MonerodTx } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import type { HarnessOnion } from '../../src/harness/tor';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { retryUntil, torFixture, transportContext, type TorFixture } from './fixture';

/**
 * veilnode and a real regtest monerod 0.18 talking only through the private Tor network:
 *
 * - veilnode → Tor → monerod's `--anonymous-inbound` onion (a harness onion forwarding to it):
 *   monerod answers with its anonymity-zone node data, and txs given to veilnode's RPC reach
 *   monerod's pool over veilnode's noise channel (padded noise frames and fragments);
 * - monerod `--tx-proxy tor,<client SocksPort>` → Tor → veilnode's own onion (ADD_ONION through
 *   `tor.control`, no --anonymous-inbound): monerod's handshake and noise-cadence frames arrive,
 *   and a tx submitted to monerod reaches veilnode.
 *
 * Ports from MONERO_BASE_PORT (default 18800) + 140: monerod node0 p2p +0, rpc +1, anonymous
 * inbound +2, wallet +5, node1 +10/+11; veilnode RPC +20. Tor ports: the shared network's.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 140;
const ANON_INBOUND = BASE + 2;
const VEILNODE_RPC = BASE + 20;
const ONION_PORT = 18083;
const MAIN = require.resolve('@veilnode/node/cli');
/** A valid onion (monerod's first mainnet seed) monerod lists but never dials (exclusive mode). */
const LISTED_ONION = DEFAULT_TOR_CONFIG.seeds.mainnet[0];
/** The same name with its first character changed: right shape, wrong checksum (monerod 0.18 checks none). */
const CORRUPTED_ONION = `${LISTED_ONION[0] === 'a' ? 'b' : 'a'}${LISTED_ONION.slice(1)}`;

interface Connection {
  zone: string;
  incoming: boolean;
  peer_id: string;
  support_flags: number;
  connection_id: string;
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, pauseMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve().then(probe).catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

describe('veilnode ⇄ monerod 0.18 over the private Tor network (real processes)', function () {
  this.timeout(300_000);
  const timings: Record<string, number | string> = {};
  let fx: TorFixture;
  let dir: string;
  let monerodOnion: HarnessOnion | undefined;
  let ourOnion: string;
  let monerod: MonerodHarness | undefined;
  let node: VeilnodeProcess | undefined;
  let txs: MonerodTx[];
  const t0 = Date.now();
  const mark = (name: string): void => {
    timings[name] = (Date.now() - t0) / 1000;
  };

  const connections = async (): Promise<Connection[]> => (await (node as VeilnodeProcess).rpc<{ connections?: Connection[] }>('get_connections')).connections ?? [];
  const inMonerodPool = async (id: string): Promise<boolean> => (await (monerod as MonerodHarness).getTransactionPool()).some((p) => p.id_hash === id);
  const nodeLog = async (): Promise<string> => readFile((node as VeilnodeProcess).logFile, 'utf8');
  const outageTimeline = (sinceMs: number): Promise<string> =>
    (node as VeilnodeProcess).timeline(sinceMs, (e) => e.component === 'outbound' || e.component === 'relay' || /zone tor|peer|noise|tx/i.test(String(e.msg)));

  before(async function () {
    skipWithoutMonerod(this);
    fx = await torFixture(this);
    mark('tor up');
    dir = await mkdtemp(join(tmpdir(), 'veilnode-tor-monerod-'));
    // monerod's hidden service: one more onion on the harness's onion-service tor, to monerod's port
    monerodOnion = await fx.net.addOnion(ANON_INBOUND, ONION_PORT);
    // our onion is known before veilnode runs: the tor transport keeps its key in its data dir
    const transportDir = join(dir, 'data', 'transports', 'tor');
    await mkdir(transportDir, { recursive: true });
    ourOnion = `${(await OnionServiceKey.loadOrCreate(join(transportDir, ONION_KEY_FILE))).key.host}:${ONION_PORT}`;

    monerod = new MonerodHarness({
      basePort: BASE,
      nodes: 2,
      // exclusive nodes are global in monerod: our onion must be one, or monerod never dials it
      exclusive: [ourOnion],
      // --add-peer: monerod shares these in its tor peer list; one has a broken checksum
      extraArgs:
        `--tx-proxy tor,127.0.0.1:${fx.net.socksPort},8 --anonymous-inbound ${monerodOnion.hostname}:${ONION_PORT},127.0.0.1:${ANON_INBOUND} ` +
        `--add-peer ${CORRUPTED_ONION} --add-peer ${LISTED_ONION}`,
    });
    await monerod.start();
    mark('monerod up');
    // mined before veilnode runs: veilnode mirrors monerod's height, which monerod needs to see
    // (a noise channel peer must not be behind it)
    // 5 one-input txs (~1.5 KB: one padded 2002 per noise slot) and one of 4 inputs (~3.5 KB:
    // more than a 3072-byte slot, so it goes out as fragments). Meanwhile: wait until monerod's
    // onion answers through Tor (a new onion's descriptor takes seconds to minutes to spread;
    // veilnode's re-dial back-off would otherwise grow while it does)
    [txs] = await Promise.all([monerod.makeTxs(5, { bigInputs: 4 }), untilMonerodOnionAnswers(150_000).then(() => mark("monerod's onion reachable"))]);
    timings['tx sizes (bytes)'] = txs.map((t) => t.blob.length).join(',');
    mark('txs made');

    node = new VeilnodeProcess({
      dir,
      rpcPort: VEILNODE_RPC,
      config: {
        plugins: ['@veilnode/tor'],
        network: 'regtest',
        dataDir: join(dir, 'data'),
        log: { level: 'debug' },
        rpc: { bindIp: '127.0.0.1', bindPort: VEILNODE_RPC },
        zones: {
          // Tor only: no clearnet socket at all
          clearnet: { enabled: false },
          tor: {
            proxy: parseSocksProxy(`socks5://127.0.0.1:${fx.net.socksPort}`),
            // a malformed onion among the configured peers would stop start-up (tested in unit
            // tests); here: only monerod's onion
            exclusivePeers: [`${monerodOnion.hostname}:${ONION_PORT}`],
          },
        },
        tor: { control: `127.0.0.1:${fx.net.controlPortHs}`, retryInitialMs: 500, retryMaxMs: 2000 },
      },
    });
    await node.start();
    mark('veilnode up');
  });

  after(async function () {
    this.timeout(60_000);
    console.log(`      timings (s since suite start): ${JSON.stringify(timings)}`);
    await node?.stop();
    await monerod?.stop();
    await monerodOnion?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("announces its own ADD_ONION address as the tor zone's inbound (no --anonymous-inbound)", async () => {
    const { zones } = await (node as VeilnodeProcess).rpc<{ zones: { name: string; inbound: string[]; healthy: boolean }[] }>('get_zones');
    const tor = zones.find((z) => z.name === 'tor');
    expect(tor?.inbound).to.deep.equal([ourOnion]);
  });

  it("veilnode → Tor → monerod's anonymous inbound: monerod answers as an anonymity zone (peer_id 1, no support flags)", async () => {
    const out = await until('an outbound tor connection to monerod', async () => (await connections()).find((c) => c.zone === 'tor' && !c.incoming), 120_000, 500);
    mark('veilnode → monerod handshake');
    expect(out.peer_id).to.equal('0000000000000001');
    expect(out.support_flags).to.equal(0);
    // the handshake log line of an anonymity zone carries no peer id or port (nothing to link)
    expect(await nodeLog()).to.match(/"zone":"tor".*"handshake complete"/);
  });

  it("txs given to veilnode's RPC reach monerod's pool through Tor, over the noise channel", async () => {
    const sent = txs.slice(0, 3);
    const before = Date.now();
    for (const tx of sent) {
      const answer = await (node as VeilnodeProcess).json<{ status: string }>('/send_raw_transaction', { tx_as_hex: tx.blob.toString('hex') });
      expect(answer.status).to.equal('OK');
    }
    for (const tx of sent) await until(`tx ${tx.id} in monerod's pool`, () => inMonerodPool(tx.id), 120_000, 500);
    timings['3 txs veilnode → monerod pool (s)'] = (Date.now() - before) / 1000;
    mark('txs in monerod pool');
    // monerod kept the connection through our noise frames and fragments: still the same one
    expect((await connections()).filter((c) => c.zone === 'tor' && !c.incoming)).to.have.length(1);
  });

  it('a tx larger than one noise slot reaches monerod as fragments over Tor', async () => {
    const big = txs[5];
    expect(big.blob.length).to.be.greaterThan(3072);
    const before = Date.now();
    const answer = await (node as VeilnodeProcess).json<{ status: string }>('/send_raw_transaction', { tx_as_hex: big.blob.toString('hex') });
    expect(answer.status).to.equal('OK');
    await until(`the ${big.blob.length}-byte tx in monerod's pool`, () => inMonerodPool(big.id), 120_000, 500);
    timings['fragmented tx → monerod pool (s)'] = (Date.now() - before) / 1000;
    expect((await connections()).filter((c) => c.zone === 'tor' && !c.incoming)).to.have.length(1);
  });

  it("monerod --tx-proxy → Tor → veilnode's onion: monerod's handshake and noise arrive, and its tx reaches veilnode", async () => {
    const inbound = await until('monerod connected to our onion', async () => (await connections()).find((c) => c.zone === 'tor' && c.incoming), 150_000, 500);
    mark('monerod → veilnode handshake');
    expect(inbound.peer_id).to.equal('0000000000000001');
    const tx = txs[3];
    const before = Date.now();
    const sent = await (monerod as MonerodHarness).sendRawTransaction(tx.blob);
    expect(sent.status).to.equal('OK');
    await until(
      "monerod's tx at veilnode",
      async () => (await (node as VeilnodeProcess).rpc<{ transactions: { id_hash: string }[] }>('get_relay_pool')).transactions.some((t) => t.id_hash === tx.id),
      150_000,
      500,
    );
    timings['tx monerod → veilnode (s)'] = (Date.now() - before) / 1000;
    mark('monerod tx at veilnode');
    // the same inbound connection carried monerod's noise cadence up to here
    const still = (await connections()).filter((c) => c.zone === 'tor' && c.incoming).map((c) => c.connection_id);
    expect(still).to.include(inbound.connection_id);
  });

  it("a malformed onion in monerod's peer list is dropped with its reason; the rest is stored", async () => {
    const peers = await until(
      "monerod's listed onion in our tor peer book",
      async () => {
        const { gray_list: gray, white_list: white } = await (node as VeilnodeProcess).rpc<{ gray_list: { host: string; zone: string }[]; white_list: { host: string; zone: string }[] }>('get_peer_list', { public_only: false });
        const all = [...gray, ...white];
        return all.some((p) => `${p.host}:${ONION_PORT}` === LISTED_ONION || LISTED_ONION.startsWith(p.host)) ? all : undefined;
      },
      30_000,
    );
    expect(peers.every((p) => p.zone === 'tor')).to.equal(true);
    expect(peers.map((p) => p.host)).to.not.include(CORRUPTED_ONION.split(':')[0]);
    const log = await nodeLog();
    const dropped = log.split('\n').filter((l) => l.includes('peer list entry dropped'));
    expect(dropped.some((l) => /"zone":"tor"/.test(l) && /checksum mismatch/.test(l)), dropped.join('\n')).to.equal(true);
    expect(log).to.not.include(CORRUPTED_ONION.split('.')[0]);
  });

  /** Resolves once monerod's onion answers through the client tor: Tor's own reachability, no veilnode involved. */
  async function untilMonerodOnionAnswers(timeoutMs: number): Promise<void> {
    const probe = new TorTransport(transportContext({ proxy: parseSocksProxy(`socks5://127.0.0.1:${fx.net.socksPort}`) }, { socksTimeoutMs: 20_000 }));
    try {
      await retryUntil(async () => (await probe.dial(new OnionV3Codec().parse(`${monerodOnion?.hostname}:${ONION_PORT}`))).stream.destroy(), timeoutMs, 1000);
    } finally {
      await probe.stop();
    }
  }

  it('Tor going away: the zone reports it, keeps the queued tx, and delivers it by itself once Tor is back', async function () {
    // Tor's own recovery (up to 5 min, see below) plus veilnode's (up to 150 s)
    this.timeout(600_000);
    const zone = async (): Promise<{ healthy: boolean; problem?: string }> =>
      ((await (node as VeilnodeProcess).rpc<{ zones: { name: string; healthy: boolean; problem?: string }[] }>('get_zones')).zones.find((z) => z.name === 'tor') as { healthy: boolean; problem?: string });
    expect((await zone()).healthy).to.equal(true);
    const down = Date.now();
    await fx.net.stopNode('client');
    try {
      const unhealthy = await until('the tor zone to report the lost SOCKS proxy', async () => {
        const z = await zone();
        return z.healthy ? undefined : z;
      }, 60_000);
      timings['proxy lost → reported (s)'] = (Date.now() - down) / 1000;
      expect(unhealthy.problem).to.match(/SOCKS|proxy/i);
      const info = await (node as VeilnodeProcess).rpc<{ veilnode: { zones: { zone: string; healthy: boolean; problem?: string }[] } }>('get_info');
      expect(info.veilnode.zones.find((z) => z.zone === 'tor')).to.deep.include({ healthy: false });
      const tx = txs[4];
      const answer = await (node as VeilnodeProcess).json<{ status: string }>('/send_raw_transaction', { tx_as_hex: tx.blob.toString('hex') });
      expect(answer.status).to.equal('OK');
      await new Promise((r) => setTimeout(r, 3000));
      expect(await inMonerodPool(tx.id)).to.equal(false);
    } finally {
      timings['client tor restart (s)'] = await fx.net.startNode('client');
    }
    const back = Date.now();
    try {
      await until('the tor zone to be healthy again', async () => (await zone()).healthy, 60_000);
      timings['tor back → zone healthy (s)'] = (Date.now() - back) / 1000;
      // "Tor is back" means Tor reaches the onion again, which is not veilnode's doing: in one CI
      // run the restarted client tor answered every dial to monerod's onion with "unreachable"
      // (SOCKS 0x04) for more than 3 minutes, in others it took 0.5-40 s. So Tor's recovery is
      // measured apart, and veilnode is held to delivering within 150 s of it.
      await untilMonerodOnionAnswers(300_000);
      timings['tor back → monerod onion answers through tor (s)'] = (Date.now() - back) / 1000;
      const reachable = Date.now();
      await until(`the tx kept during the outage in monerod's pool`, () => inMonerodPool(txs[4].id), 150_000, 1000);
      timings['onion answers → queued tx in monerod pool (s)'] = (Date.now() - reachable) / 1000;
      timings['tor back → queued tx in monerod pool (s)'] = (Date.now() - back) / 1000;
    } finally {
      // what the node did since Tor went away: each dial, its outcome and back-off, and the relay
      console.log(`      recovery timeline (s after tor stopped):\n${await outageTimeline(down)}`);
    }
    const log = await nodeLog();
    expect(log).to.match(/zone tor is unhealthy; its transport retries with back-off/);
    expect(log).to.match(/zone tor is healthy again/);
  });

  it('a malformed onion in config stops the CLI before it starts, naming the option and the reason', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolveRun) => {
      execFile(
        process.execPath,
        [MAIN, '--network', 'regtest', '--data-dir', join(dir, 'bad'), '--rpc-bind-port', '0', '--p2p-bind-port', '0', '--add-peer', `${CORRUPTED_ONION}`],
        { env: { PATH: process.env.PATH, HOME: dir }, timeout: 30_000 },
        (err, _stdout, stderr) => resolveRun({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    expect(result.code).to.be.a('number').and.not.equal(0);
    expect(result.stderr).to.match(/zones\.tor\.peers\[0\].*checksum mismatch/);
  });

  it('logs no secret, no onion key and no peer onion', async () => {
    const log = await nodeLog();
    expect(log).to.not.match(/ED25519-V3:/);
    const peerOnion = (monerodOnion as HarnessOnion).hostname.replace(/\.onion$/, '');
    expect(log.split('\n').filter((line) => line.includes(peerOnion)), "lines naming monerod's onion, the one peer this node talked to over Tor").to.deep.equal([]);
  });
});
