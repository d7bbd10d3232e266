import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearnetNodeConfig } from '../../src/harness/clearnet-node-config';
import { INFO, localTxLines } from '../../src/harness/local-tx-lines';
import { MonerodHarness, type MonerodTx } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { TcpGate } from '../../src/harness/tcp-gate';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { until } from '../../src/until';

/**
 * Issue 5, local transactions end to end over real processes on loopback: the veilnode CLI
 * (node A, clearnet zone only) and a regtest monerod. A reaches monerod only through a TCP gate
 * the test opens and closes, so "no peer reachable" is a real refused connection.
 *
 * Ports from MONERO_BASE_PORT (default 18800) + 100: monerod p2p +0, rpc +1, wallet +5; the gate
 * +10; node A p2p +11, rpc +12.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 100;
const GATE = BASE + 10;
const A_P2P = BASE + 11;
const A_RPC = BASE + 12;

interface SendAnswer {
  status: string;
  reason: string;
  not_relayed: boolean;
  veilnode?: { tx_hash: string; relay: string };
}

interface VeilnodeInfo {
  local_txs_waiting: number;
  wait_reason: string | null;
  local_txs_in_flight: number;
}

describe('local tx delivery: veilnode CLI + regtest monerod (real processes, loopback)', function () {
  this.timeout(300_000);

  const monerod = new MonerodHarness({ basePort: BASE });
  const gate = new TcpGate(GATE, { host: '127.0.0.1', port: BASE });
  const timings: Record<string, number> = {};
  let dir: string;
  let nodeA: VeilnodeProcess;
  let txs: MonerodTx[];

  const info = async (): Promise<VeilnodeInfo> => (await nodeA.rpc<{ veilnode: VeilnodeInfo }>('get_info')).veilnode;
  const inMonerodPool = async (id: string): Promise<boolean> => (await monerod.getTransactionPool()).some((p) => p.id_hash === id);
  const send = (tx: MonerodTx): Promise<SendAnswer> => nodeA.json<SendAnswer>('/send_raw_transaction', { tx_as_hex: tx.blob.toString('hex') });

  before(async function () {
    skipWithoutMonerod(this);
    const t0 = Date.now();
    dir = await mkdtemp(join(tmpdir(), 'veilnode-relay-itest-'));
    nodeA = new VeilnodeProcess({
      dir,
      name: 'node-a',
      rpcPort: A_RPC,
      config: clearnetNodeConfig({ dataDir: join(dir, 'a'), p2pPort: A_P2P, rpcPort: A_RPC, exclusivePeers: [`127.0.0.1:${GATE}`] }),
    });
    await monerod.start();
    await gate.open();
    await nodeA.start();
    // A dials monerod by itself (its only exclusive peer); that handshake lets monerod mine
    await until('monerod to see node A (state normal)', async () => (await monerod.getConnections()).some((c) => c.incoming && c.state === 'normal'), 30_000);
    timings.upMs = Date.now() - t0;
    txs = await monerod.makeTxs(2);
    timings.makeTxsMs = monerod.timings.makeTxsMs;
    console.log(`    set-up timings: ${JSON.stringify(timings)}`);
  });

  after(async () => {
    await nodeA?.stop();
    await gate.close();
    await monerod.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('clearnet only: a tx posted to A’s RPC goes to monerod over p2p and reaches its pool', async () => {
    const tx = txs[0];
    expect(await inMonerodPool(tx.id)).to.equal(false);
    const t0 = Date.now();
    const answer = await send(tx);
    expect(answer).to.deep.include({ status: 'OK', not_relayed: false });
    expect(answer.veilnode).to.deep.equal({ tx_hash: tx.id, relay: 'sent' });
    await until('the tx in monerod’s pool', () => inMonerodPool(tx.id), 60_000);
    timings.clearnetToPoolMs = Date.now() - t0;
    // the only p2p connection monerod has is node A's, through the gate
    const connections = await monerod.getConnections();
    expect(connections.map((c) => c.incoming)).to.deep.equal([true]);
    // delivered: monerod sent it back, or A's carrier stayed up for the confirmation window
    const done = await until('A to count the tx delivered', async () => {
      const status = await info();
      return status.local_txs_waiting === 0 && status.local_txs_in_flight === 0 && status;
    }, 60_000);
    expect(done.wait_reason).to.equal(null);
    timings.deliveredMs = Date.now() - t0;
    // what the operator reads at info: one line per state change (sent before the RPC answered)
    const lines = await localTxLines(nodeA, tx.id, t0);
    expect(lines.map((e) => [e.msg, e.level])).to.deep.equal([
      ['local tx sent', INFO],
      ['local tx accepted', INFO],
      ['local tx delivered', INFO],
    ]);
    expect(lines[0].zones).to.deep.equal(['clearnet']);
    expect(lines[1].relay).to.equal('sent');
    expect(lines[2].evidence).to.be.oneOf(['carrier-stayed-up', 'seen-on-public-zone']);
    console.log(`    clearnet: ${JSON.stringify({ toPoolMs: timings.clearnetToPoolMs, deliveredMs: timings.deliveredMs })}`);
  });

  it('durability: a tx A acknowledged while no peer was reachable survives SIGKILL and is delivered after restart once a peer is reachable', async () => {
    const tx = txs[1];
    await gate.close();
    await until('A to lose its only connection', async () => (await nodeA.rpc<{ connections: unknown[] }>('get_connections')).connections.length === 0, 30_000);

    const answer = await send(tx);
    expect(answer).to.deep.include({ status: 'OK', not_relayed: false });
    expect(answer.veilnode).to.deep.equal({ tx_hash: tx.id, relay: 'queued' });
    // get_info and get_zones say how many wait, and why
    expect(await info()).to.deep.include({ local_txs_waiting: 1, wait_reason: 'no-connection', local_txs_in_flight: 0 });
    const { zones } = await nodeA.rpc<{ zones: { name: string; queued: number }[] }>('get_zones');
    expect(zones.find((z) => z.name === 'clearnet')?.queued).to.equal(1);

    expect((await localTxLines(nodeA, tx.id)).map((e) => [e.msg, e.relay])).to.deep.equal([['local tx accepted', 'queued']]);
    await nodeA.kill(); // between the RPC answer and any send
    expect(existsSync(join(dir, 'a', 'txqueue', 'local-txs.journal'))).to.equal(true);
    expect(await inMonerodPool(tx.id)).to.equal(false);

    await nodeA.start(); // same data dir: the stale lock is taken over, the journal replayed
    expect(await info()).to.deep.include({ local_txs_waiting: 1, wait_reason: 'no-connection' });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await inMonerodPool(tx.id), 'nothing sent while no peer is reachable').to.equal(false);

    const t0 = Date.now();
    await gate.open(); // A's maintainer retries its exclusive peer (backoff from 5 s)
    await until('the restarted node’s tx in monerod’s pool', () => inMonerodPool(tx.id), 90_000);
    timings.reachableToPoolMs = Date.now() - t0;
    // the restarted node says it sent the replayed tx (it accepted nothing new)
    expect((await localTxLines(nodeA, tx.id, t0)).map((e) => [e.msg, e.zones])).to.deep.include(['local tx sent', ['clearnet']]);
    await until('A to stop counting it as waiting', async () => (await info()).local_txs_waiting === 0, 10_000);
    console.log(`    durability: ${JSON.stringify({ reachableToPoolMs: timings.reachableToPoolMs })}`);
  });
});
