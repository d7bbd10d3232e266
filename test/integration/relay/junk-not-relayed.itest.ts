import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainState } from '@veilnode/node/peer';
import { encodeInvokeMessage, encodeNotifyMessage, Handshake, networkId, NewTransactions } from '@veilnode/protocol';
import { minimalJunkTx, WellFormedJunkTx } from '@veilnode/protocol/testing';
import { MonerodHarness } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { until } from '../../src/until';

/**
 * Issue 17 item 2 against a real monerod: junk sent to veilnode is never relayed, so the regtest
 * monerod veilnode is connected to keeps the connection (monerod drops a peer that relays a tx
 * failing its checks, "Tx verification failed"). Ports from MONERO_BASE_PORT (default 18800) + 304:
 * monerod p2p +0, rpc +1 (wallet +5 unused); veilnode p2p +6, rpc +7.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 304;
const NODE_P2P = BASE + 6;
const NODE_RPC = BASE + 7;

/** A peer that handshakes with veilnode and sends it one batch of txs as a fluff. */
async function sendJunk(txs: readonly Uint8Array[]): Promise<void> {
  const socket: Socket = connect({ host: '127.0.0.1', port: NODE_P2P });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  const nodeData = { network_id: networkId('regtest'), peer_id: randomBytes(8).readBigUInt64LE(0), my_port: 0, rpc_port: 0, rpc_credits_per_hash: 0, support_flags: 1 };
  socket.write(encodeInvokeMessage(Handshake, { node_data: nodeData, payload_data: new ChainState('regtest').current() }));
  await new Promise((resolve) => setTimeout(resolve, 500)); // the handshake answer (not read: the node sends it and marks us ready)
  socket.write(encodeNotifyMessage(NewTransactions, { txs: txs.map((t) => Buffer.from(t)), _: Buffer.alloc(0), dandelionpp_fluff: true }));
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    setTimeout(() => resolve(), 5_000);
  });
  socket.destroy();
}

describe('junk txs are not relayed to monerod (issue 17, item 2; real monerod, loopback)', function () {
  this.timeout(120_000);

  const monerod = new MonerodHarness({ basePort: BASE });
  let dir: string;
  let node: VeilnodeProcess;

  before(async function () {
    skipWithoutMonerod(this);
    dir = await mkdtemp(join(tmpdir(), 'veilnode-junk-itest-'));
    node = new VeilnodeProcess({
      dir,
      rpcPort: NODE_RPC,
      config: {
        plugins: ['@veilnode/clearnet'],
        network: 'regtest',
        dataDir: join(dir, 'data'),
        log: { level: 'info' },
        p2p: { bindIp: '127.0.0.1', bindPort: NODE_P2P },
        rpc: { bindIp: '127.0.0.1', bindPort: NODE_RPC },
        zones: { clearnet: { enabled: true, transport: 'clearnet', exclusivePeers: [`127.0.0.1:${BASE}`] } },
      },
    });
    await monerod.start();
    await node.start();
    await until('monerod to see veilnode (state normal)', async () => (await monerod.getConnections()).some((c) => c.incoming && c.state === 'normal'), 30_000);
  });

  after(async () => {
    await node?.stop();
    await monerod.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('closes each junk sender, relays none of it, and monerod keeps its connection to veilnode', async () => {
    const since = Date.now();
    const wrong = new WellFormedJunkTx();
    // the 5-byte txs, and txs that break one relay rule each (1 output; extra too large)
    const batches = [Array.from({ length: 2000 }, (_, i) => minimalJunkTx(i)), [wrong.next(1, 1)], [wrong.next(1, 2, 1061)]];
    for (const batch of batches) await sendJunk(batch);
    // longer than the fluff delay to an outbound peer (Poisson, mean 2.5 s), had anything been queued
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const log = await node.logSince(since);
    const closed = log.filter((l) => l.msg === 'peer connection closed' && l.direction === 'outbound');
    expect(closed, 'veilnode lost its connection to monerod').to.deep.equal([]);
    expect((await monerod.getConnections()).filter((c) => c.incoming && c.state === 'normal')).to.have.length(1);
    expect(await monerod.getTransactionPool()).to.deep.equal([]);
    expect(log.filter((l) => l.msg === 'closing a connection for the transactions it sent' && l.reason === 'invalid-tx')).to.have.length(batches.length);
  });
});
