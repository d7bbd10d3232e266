import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipOrFailWithout } from '../../src/harness/daemon-requirement';
import { Command } from '@veilnode/plugin-api';
import { MonerodHarness, monerodMissingReason, type MonerodTx } from '../../src/harness/monerod';
import { TcpGate } from '../../src/harness/tcp-gate';
import { sharedTorNetwork, torMissingReason, type TorNetwork } from '../../src/harness/tor';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { INFO, localTxLines } from '../../src/harness/local-tx-lines';
import { until } from '../../src/until';
import { txsIn } from '../../src/levin-txs';

/**
 * Issue 5, "local txs only over anonymity zones", over real processes on loopback: two veilnode
 * CLIs, a private Tor network and a regtest monerod (the clearnet observer).
 *
 *   A (tor + clearnet) ──Tor──▶ B's onion (tor + clearnet) ──clearnet──▶ monerod
 *   A ───────────────────────────clearnet (gate A)────────────────────────▶ monerod
 *
 * A's clearnet link to monerod runs through a recording TCP gate: the test decodes every Levin
 * frame A sent monerod and checks the tx never left A's clearnet socket, while monerod got it
 * from B (gate B) after it crossed Tor.
 *
 * Ports: MONERO_BASE_PORT (default 18800) + 120: monerod +0/+1/+5, gate A +10, gate B +11,
 * A p2p/RPC +12/+13, B p2p/RPC +14/+15, B's tor inbound +16. Tor: TOR_NET_BASE_PORT (default
 * 15000); B's onion is the harness's second virtual port, forwarded to its second target port,
 * where a tap (a TcpGate) records what A sends B over Tor and passes it on to B.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 120;

interface Sent {
  veilnode?: { tx_hash: string; relay: string };
  status: string;
}

describe('anonymity first: a local tx leaves over Tor, never from the node’s clearnet socket (2 veilnodes, Tor, monerod)', function () {
  this.timeout(360_000);

  const monerod = new MonerodHarness({ basePort: BASE });
  const gateA = new TcpGate(BASE + 10, { host: '127.0.0.1', port: BASE });
  const gateB = new TcpGate(BASE + 11, { host: '127.0.0.1', port: BASE });
  /** Between B's onion (the Tor side) and B's tor inbound: what A sends B over Tor, timed. */
  let torTap: TcpGate;
  let tor: TorNetwork;
  let dir: string;
  let nodeA: VeilnodeProcess;
  let nodeB: VeilnodeProcess;
  let txs: MonerodTx[];
  const blobIds = new Map<string, string>();
  const timings: Record<string, number> = {};

  before(async function () {
    skipOrFailWithout(this, torMissingReason() ?? monerodMissingReason());
    const t0 = Date.now();
    dir = await mkdtemp(join(tmpdir(), 'veilnode-anon-itest-'));
    [tor] = await Promise.all([sharedTorNetwork(), monerod.start()]);
    timings.torAndMonerodUpMs = Date.now() - t0;
    await gateA.open();
    await gateB.open();
    torTap = new TcpGate(tor.hsTargetPort2, { host: '127.0.0.1', port: BASE + 16 });
    await torTap.open();
    const onion = `${tor.onionHostname}:${tor.hsVport2}`;
    const common = { plugins: ['@veilnode/clearnet', '@veilnode/tor'], network: 'regtest', log: { level: 'info' } };
    nodeB = new VeilnodeProcess({
      dir,
      name: 'node-b',
      rpcPort: BASE + 15,
      config: {
        ...common,
        dataDir: join(dir, 'b'),
        p2p: { bindIp: '127.0.0.1', bindPort: BASE + 14 },
        rpc: { bindIp: '127.0.0.1', bindPort: BASE + 15 },
        zones: {
          clearnet: { enabled: true, transport: 'clearnet', exclusivePeers: [`127.0.0.1:${gateB.port}`] },
          tor: { enabled: true, transport: 'tor', proxy: `socks5://127.0.0.1:${tor.socksPort}`, inbound: { address: onion, bind: `127.0.0.1:${BASE + 16}` } },
        },
      },
    });
    nodeA = new VeilnodeProcess({
      dir,
      name: 'node-a',
      rpcPort: BASE + 13,
      config: {
        ...common,
        dataDir: join(dir, 'a'),
        p2p: { bindIp: '127.0.0.1', bindPort: BASE + 12 },
        rpc: { bindIp: '127.0.0.1', bindPort: BASE + 13 },
        zones: {
          clearnet: { enabled: true, transport: 'clearnet', exclusivePeers: [`127.0.0.1:${gateA.port}`] },
          tor: { enabled: true, transport: 'tor', proxy: `socks5://127.0.0.1:${tor.socksPort}`, exclusivePeers: [onion] },
        },
      },
    });
    await nodeB.start();
    await nodeA.start();
    const connected = (node: VeilnodeProcess, zone: string) => async () =>
      (await node.rpc<{ connections: { zone: string; state: string }[] }>('get_connections')).connections.some((c) => c.zone === zone && c.state === 'normal');
    await until('A’s Tor connection to B’s onion', connected(nodeA, 'tor'), 120_000);
    timings.torConnectedMs = Date.now() - t0;
    await until('A and B on monerod over clearnet', async () => (await connected(nodeA, 'clearnet')()) && connected(nodeB, 'clearnet')(), 30_000);
    txs = await monerod.makeTxs(3);
    for (const tx of txs) blobIds.set(tx.blob.toString('hex'), tx.id);
    timings.setupMs = Date.now() - t0;
    console.log(`    set-up timings: ${JSON.stringify(timings)}`);
  });

  after(async () => {
    await nodeA?.stop();
    await nodeB?.stop();
    await gateA.close();
    await gateB.close();
    await torTap?.close();
    await monerod.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('A’s RPC tx crosses Tor to B, which fluffs it to monerod; A’s clearnet socket never carries it', async () => {
    const [tx] = txs;
    const idOf = (blob: Buffer): string => blobIds.get(blob.toString('hex')) ?? `unknown:${blob.length}`;
    const t0 = Date.now();
    const answer = await nodeA.json<Sent>('/send_raw_transaction', { tx_as_hex: tx.blob.toString('hex') });
    expect(answer.status).to.equal('OK');
    expect(answer.veilnode).to.deep.equal({ tx_hash: tx.id, relay: 'sent' });
    await until('the tx in monerod’s pool', async () => (await monerod.getTransactionPool()).some((p) => p.id_hash === tx.id), 120_000);
    timings.toPoolMs = Date.now() - t0;

    const fromA = gateA.sentUpstream().flatMap((bytes) => txsIn(bytes, idOf));
    const fromB = gateB.sentUpstream().flatMap((bytes) => txsIn(bytes, idOf));
    expect(fromB, 'monerod got it from B').to.include(tx.id);
    expect(fromA, 'A never sent it on clearnet').not.to.include(tx.id);
    // B heard it on Tor, so it waited U(0, 30 s) before the clearnet fluff
    console.log(`    anonymity-first: ${JSON.stringify({ toPoolMs: timings.toPoolMs })}`);
    // delivered by its echo: monerod fluffs it back to A over clearnet (a carrier staying up proves nothing)
    await until(
      'A to count the tx delivered',
      async () => {
        const status = (await nodeA.rpc<{ veilnode: { local_txs_waiting: number; local_txs_in_flight: number } }>('get_info')).veilnode;
        return status.local_txs_waiting === 0 && status.local_txs_in_flight === 0;
      },
      60_000,
    );
    // A's info lines name the zone that carried it, never B's onion (sent once the noise
    // channel's last fragment left, after the RPC answered)
    const lines = await localTxLines(nodeA, tx.id, t0);
    expect(lines.map((e) => [e.msg, e.level])).to.deep.equal([
      ['local tx accepted', INFO],
      ['local tx sent', INFO],
      ['local tx delivered', INFO],
    ]);
    expect(lines[1].zones).to.deep.equal(['tor']);
    expect(JSON.stringify(lines)).not.to.match(/\.onion|\.b32\.i2p/);
  });

  it('durability: with no anonymity peer a tx waits (never on the live clearnet link), survives SIGKILL and restart, and goes over Tor once B is back', async () => {
    const tx = txs[1];
    const idOf = (blob: Buffer): string => blobIds.get(blob.toString('hex')) ?? `unknown:${blob.length}`;
    await nodeB.stop(); // A's only anonymity peer is gone; A's clearnet link to monerod stays up
    await until('A to lose its Tor connection', async () => !(await nodeA.rpc<{ connections: { zone: string }[] }>('get_connections')).connections.some((c) => c.zone === 'tor'), 30_000);
    // and its warm carriers to B (not in get_connections; get_zones counts them): one still open
    // for a moment would take the tx
    const torOut = async () => (await nodeA.rpc<{ zones: { name: string; connections: { out: number } }[] }>('get_zones')).zones.find((z) => z.name === 'tor')?.connections.out;
    await until('A to lose its carriers to B', async () => (await torOut()) === 0, 30_000);

    const answer = await nodeA.json<Sent>('/send_raw_transaction', { tx_as_hex: tx.blob.toString('hex') });
    expect(answer.veilnode).to.deep.equal({ tx_hash: tx.id, relay: 'queued' });
    const info = async () => (await nodeA.rpc<{ veilnode: { local_txs_waiting: number; wait_reason: string | null } }>('get_info')).veilnode;
    expect(await info()).to.deep.include({ local_txs_waiting: 1, wait_reason: 'no-carrier' });
    const { zones } = await nodeA.rpc<{ zones: { name: string; queued: number }[] }>('get_zones');
    expect(Object.fromEntries(zones.filter((z) => z.name === 'tor' || z.name === 'clearnet').map((z) => [z.name, z.queued]))).to.deep.equal({ clearnet: 0, tor: 1 });

    await nodeA.kill(); // between the RPC answer and any send
    await nodeA.start();
    expect(await info()).to.deep.include({ local_txs_waiting: 1, wait_reason: 'no-carrier' });
    await until('A back on monerod over clearnet', async () => (await nodeA.rpc<{ connections: { zone: string }[] }>('get_connections')).connections.some((c) => c.zone === 'clearnet'), 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await monerod.getTransactionPool().then((pool) => pool.some((p) => p.id_hash === tx.id)), 'not sent while no anonymity peer').to.equal(false);

    const t0 = Date.now();
    await nodeB.start();
    await until('the tx in monerod’s pool', async () => (await monerod.getTransactionPool()).some((p) => p.id_hash === tx.id), 180_000);
    timings.reconnectToPoolMs = Date.now() - t0;
    const fromA = gateA.sentUpstream().flatMap((bytes) => txsIn(bytes, idOf));
    const fromB = gateB.sentUpstream().flatMap((bytes) => txsIn(bytes, idOf));
    expect(fromB).to.include(tx.id);
    expect(fromA, 'A never sent it on clearnet, before or after the restart').not.to.include(tx.id);
    console.log(`    durability over Tor: ${JSON.stringify({ reconnectToPoolMs: timings.reconnectToPoolMs })}`);
  });

  it('noise: A’s Tor link to B carries only 3072-byte frames every 10–15 s before, while and after it sends a tx', async () => {
    const tx = txs[2];
    await until('A’s Tor connection to B', async () => (await nodeA.rpc<{ connections: { zone: string; state: string }[] }>('get_connections')).connections.some((c) => c.zone === 'tor' && c.state === 'normal'), 120_000);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 25_000));
    const sentAt = Date.now();
    const answer = await nodeA.json<Sent>('/send_raw_transaction', { tx_as_hex: tx.blob.toString('hex') });
    expect(answer.veilnode).to.deep.equal({ tx_hash: tx.id, relay: 'sent' });
    await until('the tx in monerod’s pool', async () => (await monerod.getTransactionPool()).some((p) => p.id_hash === tx.id), 120_000);
    await new Promise((r) => setTimeout(r, 20_000));
    const end = Date.now();

    // A's ordinary connection, its private-broadcast carriers (each its own connection, from the
    // pool's schedule) and any re-dial: judge every connection through the tap that sent frames
    // in the window, each on its own cadence.
    const links = torTap.sentUpstreamChunks();
    // p2p invokes (handshake, timed syncs) are not noise; every other frame is one fixed-size slot
    const slotsPerLink = links.map((chunks) =>
      rawFrames(chunks).filter((f) => f.at >= start && f.at <= end && f.command !== Command.Handshake && f.command !== Command.TimedSync),
    );
    // a tap connection without frames is no Levin link (e.g. a SOCKS attempt that tor refused)
    const carrying = slotsPerLink.filter((own) => own.length > 0).length;
    const slots = slotsPerLink.flat().sort((a, b) => a.at - b.at);
    expect(slots.map((f) => f.size).filter((size) => size !== 3072), 'frame sizes other than 3072').to.deep.equal([]);
    const gaps = slotsPerLink.flatMap((own) => own.slice(1).map((f, i) => f.at - own[i].at));
    // each re-dial may cost the slots of one tick
    expect(slots.length, `slots in ${end - start} ms over ${carrying} connection(s)`).to.be.at.least(Math.floor((end - start) / 15_000) - carrying);
    // 10 s + U(0, 5 s) per tick; a little slack for timers on a loaded machine and Tor's buffering
    for (const gap of gaps) expect(gap, `gaps ${JSON.stringify(gaps)}`).to.be.within(9_000, 16_500);
    expect(slots.some((f) => f.at < sentAt) && slots.some((f) => f.at > sentAt), 'slots before and after the send').to.equal(true);
    // and the tx itself rode in those slots
    const idOf = (blob: Buffer): string => blobIds.get(blob.toString('hex')) ?? `unknown:${blob.length}`;
    expect(torTap.sentUpstream().flatMap((bytes) => txsIn(bytes, idOf))).to.include(tx.id);
    console.log(`    noise: ${slots.length} slots of 3072 bytes on ${carrying} Levin connection(s) (${links.length} through the tap), gaps ${JSON.stringify(gaps)} ms`);
    if (carrying > 1) {
      const why = await nodeA.timeline(start, (e) => e.component === 'outbound' || e.component === 'relay' || /peer connection|rotat/i.test(String(e.msg)));
      console.log(`    A's connection events in the window (s after its start):\n${why}`);
    }
  });
});

/** Every Levin frame in a recorded stream (header parsed only; no reassembly), with the arrival time of its last byte. */
function rawFrames(chunks: readonly { at: number; bytes: Buffer }[]): { at: number; size: number; command: number }[] {
  const frames: { at: number; size: number; command: number }[] = [];
  let pending = Buffer.alloc(0);
  for (const { at, bytes } of chunks) {
    pending = Buffer.concat([pending, bytes]);
    while (pending.length >= 33) {
      const size = 33 + Number(pending.readBigUInt64LE(8));
      if (pending.length < size) break;
      frames.push({ at, size, command: pending.readUInt32LE(17) });
      pending = pending.subarray(size);
    }
  }
  return frames;
}
