import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearnetNodeConfig } from '../../src/harness/clearnet-node-config';
import { MonerodHarness, type MonerodTx } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { TcpGate } from '../../src/harness/tcp-gate';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { until } from '../../src/until';

/**
 * Issue 13 §3, a tx the network rejects is harmless, over real processes on loopback: the
 * veilnode CLI (clearnet zone only, `--restricted-rpc`) and one regtest monerod, which veilnode
 * reaches through three TCP gates: three distinct outbound peers that are all the same monerod.
 * The gates count every connection veilnode opens and keep the bytes it sent on each.
 *
 * Ports from MONERO_BASE_PORT (default 18800) + 240: monerod p2p +0, rpc +1, wallet +5; gates
 * +10, +11, +12; veilnode p2p +13, rpc +14.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 240;
const GATES = [BASE + 10, BASE + 11, BASE + 12];
const A_P2P = BASE + 13;
const A_RPC = BASE + 14;
const WATCH_MS = 60_000;

interface RelayPool {
  transactions: { id_hash: string; state: string }[];
  rejected: { id_hash: string; reason: string; rejected_time: number }[];
}

describe('rejected local tx: veilnode CLI (restricted RPC) + regtest monerod (real processes, loopback)', function () {
  this.timeout(300_000);

  // up.sh lets 16 connections per IP in (monerod's default is 1): the three gates all come from 127.0.0.1
  const monerod = new MonerodHarness({ basePort: BASE });
  const gates = GATES.map((port) => new TcpGate(port, { host: '127.0.0.1', port: BASE }));
  let dir: string;
  let txs: MonerodTx[];
  let bad: { blob: Buffer; hex: string };
  const node = (name: string, restricted: boolean): VeilnodeProcess =>
    new VeilnodeProcess({
      dir,
      name,
      rpcPort: A_RPC,
      config: clearnetNodeConfig({ dataDir: join(dir, 'a'), p2pPort: A_P2P, rpcPort: A_RPC, exclusivePeers: GATES.map((p) => `127.0.0.1:${p}`), restricted }),
    });
  let restrictedNode: VeilnodeProcess;
  let operatorNode: VeilnodeProcess | undefined;

  const dials = (): number => gates.reduce((n, g) => n + g.sentUpstream().length, 0);
  /** Connections (from index `from` of each gate) whose upstream bytes carry `blob`. */
  const carrying = (blob: Buffer, from: number[]): number => gates.reduce((n, g, i) => n + g.sentUpstream().slice(from[i]).filter((b) => b.includes(blob)).length, 0);
  const inMonerodPool = async (id: string): Promise<boolean> => (await monerod.getTransactionPool()).some((p) => p.id_hash === id);

  before(async function () {
    skipWithoutMonerod(this);
    dir = await mkdtemp(join(tmpdir(), 'veilnode-reject-itest-'));
    restrictedNode = node('node-a', true);
    await monerod.start();
    for (const gate of gates) await gate.open();
    await restrictedNode.start();
    await until('monerod to see veilnode on 3 connections', async () => (await monerod.getConnections()).filter((c) => c.incoming && c.state === 'normal').length === 3, 30_000);
    txs = await monerod.makeTxs(2);
    // one flipped bit in the last pseudo output commitment: still a well-formed tx, its signatures no longer verify
    const blob = Buffer.from(txs[0].blob);
    blob[blob.length - 8] ^= 0x01;
    bad = { blob, hex: blob.toString('hex') };
  });

  after(async () => {
    await restrictedNode?.stop();
    await operatorNode?.stop();
    for (const gate of gates) await gate.close();
    await monerod.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a tx with one flipped bit, sent on the restricted listener: dials stay bounded, the node stays healthy, the tx ends rejected and is not resent after a restart', async () => {
    const dialsBefore = dials();
    const t0 = Date.now();
    const answer = await restrictedNode.json<{ status: string }>('/send_raw_transaction', { tx_as_hex: bad.hex });
    expect(answer.status).to.equal('OK'); // durable; the verdict is the network's

    // the node answers RPC within 1 s throughout the watch, and keeps its dials bounded
    let slowest = 0;
    while (Date.now() - t0 < WATCH_MS) {
      const asked = Date.now();
      const info = await restrictedNode.json<{ status: string }>('/get_info', {});
      slowest = Math.max(slowest, Date.now() - asked);
      expect(info.status).to.equal('OK');
      await new Promise((r) => setTimeout(r, 1000));
    }
    const perGate = gates.map((g) => g.sentUpstream().length);
    const carried = carrying(bad.blob, [0, 0, 0]);
    const newDials = dials() - dialsBefore;
    console.log(`    in ${WATCH_MS / 1000} s: ${newDials} dials to the rejecting monerod (per gate, since start: ${perGate.join('/')}); ${carried} connections carried the bad tx; slowest get_info ${slowest} ms`);
    expect(slowest).to.be.below(1000);
    // the back-off after a connection that ended at once: 5 s, 10 s, 20 s... per peer; never 1/s
    expect(newDials).to.be.at.most(3 * 6);
    expect(carried).to.be.within(3, 6); // each of the 3 peers judged it (a rejection is counted once per peer)
    expect(await inMonerodPool(txs[0].id)).to.equal(false);
    // given up once, at warn, with its reason (tx id only: no peer address)
    const verdicts = (await restrictedNode.logSince(t0)).filter((e) => e.msg === 'local tx given up as rejected: it will not be sent again');
    expect(verdicts).to.have.length(1);
    expect(verdicts[0].reason).to.match(/3 distinct peers/);
    expect(JSON.stringify(verdicts[0])).not.to.include('127.0.0.1');
    await restrictedNode.stop();

    // the operator's view, and a restart on the same data dir: the tx is gone from the send queue
    operatorNode = node('node-a-operator', false);
    const from = gates.map((g) => g.sentUpstream().length);
    await operatorNode.start();
    await until('veilnode back on 3 connections', async () => (await monerod.getConnections()).filter((c) => c.incoming && c.state === 'normal').length === 3, 30_000);
    await new Promise((r) => setTimeout(r, 5000));
    expect(carrying(bad.blob, from), 'resent after restart').to.equal(0);
    const info = await operatorNode.json<{ veilnode: { local_txs_waiting: number; local_txs_in_flight: number } }>('/get_info', {});
    expect(info.veilnode).to.deep.include({ local_txs_waiting: 0, local_txs_in_flight: 0 });
  });

  it('get_relay_pool lists a rejected tx with its reason, and a valid tx still reaches monerod’s pool', async () => {
    const node = operatorNode as VeilnodeProcess;
    // the rejected list is journaled: the first rejection is still listed, so wait for a newer one
    const resubmittedAt = Math.floor(Date.now() / 1000);
    const again = await node.json<{ status: string; veilnode: { tx_hash: string } }>('/send_raw_transaction', { tx_as_hex: bad.hex });
    expect(again.status).to.equal('OK');
    const entry = await until(
      'the resubmitted bad tx rejected again in get_relay_pool’s rejected list',
      async () => (await node.rpc<RelayPool>('get_relay_pool')).rejected.find((r) => r.id_hash === again.veilnode.tx_hash && r.rejected_time >= resubmittedAt),
      60_000,
    );
    expect(entry.reason).to.match(/3 distinct peers/);
    expect((await node.rpc<RelayPool>('get_relay_pool')).transactions.map((t) => t.id_hash)).not.to.include(again.veilnode.tx_hash);
    const t0 = Date.now();
    const answer = await node.json<{ status: string }>('/send_raw_transaction', { tx_as_hex: txs[1].blob.toString('hex') });
    expect(answer.status).to.equal('OK');
    await until('the valid tx in monerod’s pool', () => inMonerodPool(txs[1].id), 60_000);
    console.log(`    valid tx: in monerod's pool after ${Date.now() - t0} ms`);
  });
});
