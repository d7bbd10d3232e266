import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import type { Veilnode } from '../../src/clearnet-node';
import { CountingProxy } from '../../src/harness/counting-proxy';
import { MonerodHarness } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { startUpstreamNode } from '../../src/harness/upstream-node';
import { WalletRpc } from '../../src/harness/wallet-rpc';
import { until } from '../../src/until';

/**
 * A real monero-wallet-rpc whose only daemon is veilnode; veilnode forwards the chain RPC to a
 * regtest monerod (its upstream, behind a counting proxy) and sends the wallet's tx over p2p.
 * Ports from MONERO_BASE_PORT + 260: monerod p2p +0, RPC +1; veilnode p2p +10; proxy +11;
 * wallet-rpc +12.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 260;
const OUR_P2P = BASE + 10;
const PROXY = BASE + 11;
const WALLET = BASE + 12;
const NEVER_FORWARDED = ['/send_raw_transaction', '/sendrawtransaction', 'json_rpc:relay_tx', 'json_rpc:send_raw_transaction'];

describe('a real wallet with veilnode as its daemon, a regtest monerod as upstream', function () {
  this.timeout(300_000);
  const monerod = new MonerodHarness({ basePort: BASE, exclusive: [`127.0.0.1:${OUR_P2P}`] });
  const proxy = new CountingProxy(BASE + 1, PROXY);
  const logger = new RecordingLogger();
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  let dir: string;
  let node: Veilnode | undefined;
  let wallet: WalletRpc | undefined;
  let address: string;

  before(async function () {
    skipWithoutMonerod(this);
    dir = await mkdtemp(join(tmpdir(), 'veilnode-upstream-itest-'));
    await proxy.start();
    const { veilnode, rpc } = await startUpstreamNode({ dir, p2pPort: OUR_P2P, upstreamPort: PROXY, monerod, logger });
    node = veilnode;
    wallet = new WalletRpc({ port: WALLET, daemonAddress: rpc, dir: join(dir, 'wallet') });
    await wallet.start();
    timings.upS = (Date.now() - t0) / 1000;
  });

  after(async () => {
    await wallet?.stop();
    await node?.stop();
    await monerod.stop();
    await proxy.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    console.log(`    timings (s): ${JSON.stringify(timings)}; upstream calls: ${JSON.stringify([...new Set(proxy.calls)])}`);
  });

  it('opens a wallet, refreshes through veilnode and shows the mined balance', async () => {
    const w = wallet as WalletRpc;
    await w.call('create_wallet', { filename: 'w', password: '', language: 'English' });
    await w.call('auto_refresh', { enable: false });
    address = (await w.call<{ address: string }>('get_address', { account_index: 0 })).address;
    await monerod.generateBlocks(80, address);
    const refreshed = await w.call<{ blocks_fetched: number }>('refresh');
    expect(refreshed.blocks_fetched).to.be.at.least(80);
    const balance = await w.call<{ unlocked_balance: number }>('get_balance', { account_index: 0 });
    expect(balance.unlocked_balance).to.be.greaterThan(0);
    // the chain came from the upstream: the wallet's .bin calls went through veilnode to it
    expect(proxy.calls).to.include.members(['/getheight', '/getblocks.bin']);
    timings.refreshedS = (Date.now() - t0) / 1000;
  });

  it('after 60 s idle on its daemon connection, a transfer succeeds; the tx reaches monerod over p2p, never by RPC', async () => {
    const w = wallet as WalletRpc;
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    const sent = await w.call<{ tx_hash: string }>('transfer', { destinations: [{ amount: 1_000_000_000, address }], priority: 0, ring_size: 16 });
    expect(sent.tx_hash).to.match(/^[0-9a-f]{64}$/);
    timings.transferS = (Date.now() - t0) / 1000;
    await until('the tx in monerod’s pool', async () => (await monerod.getTransactionPool()).some((p) => p.id_hash === sent.tx_hash), 60_000);
    timings.inPoolS = (Date.now() - t0) / 1000;
    expect(proxy.calls.filter((c) => NEVER_FORWARDED.includes(c))).to.deep.equal([]);
    expect(proxy.calls).to.include.members(['/get_outs.bin', '/get_output_distribution.bin', 'json_rpc:get_fee_estimate']);
    await monerod.generateBlocks(1, address);
    await w.call('refresh');
    const transfer = await w.call<{ transfer: { confirmations: number; type: string } }>('get_transfer_by_txid', { txid: sent.tx_hash });
    expect(transfer.transfer.type).to.equal('out');
    expect(transfer.transfer.confirmations).to.be.greaterThan(0);
    timings.confirmedS = (Date.now() - t0) / 1000;
    // veilnode learnt from the upstream's blocks that it was mined: it left the journal and the pool
    await until('the mined tx gone from veilnode', () => !(node as Veilnode).relay.transactions().some((tx) => tx.id === sent.tx_hash), 20_000);
  });
});
