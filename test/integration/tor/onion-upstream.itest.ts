import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CountingProxy } from '../../src/harness/counting-proxy';
import { MonerodHarness } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import type { HarnessOnion } from '../../src/harness/tor';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { WalletRpc } from '../../src/harness/wallet-rpc';
import { until } from '../../src/until';
import { torFixture, type TorFixture } from './fixture';

/**
 * The wallet scenario over the private Tor network, with real processes: a
 * monero-wallet-rpc whose only daemon is veilnode; veilnode has only a Tor zone; its upstream is
 * monerod node1's RPC reached as an onion (behind a counting proxy); its only peer is monerod
 * node0's onion inbound. The wallet syncs and transfers; the tx reaches node0 over Tor, node1
 * never receives it by RPC, and the wallet sees it confirmed after node1 mines.
 * Ports from MONERO_BASE_PORT + 273: node0 p2p +0, RPC +1, anonymous inbound +2; veilnode RPC
 * +3; wallet-rpc +4; counting proxy +5; node1 p2p +10, RPC +11. Tor ports: the shared network's.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 273;
const ANON_INBOUND = BASE + 2;
const VEILNODE_RPC = BASE + 3;
const WALLET = BASE + 4;
const PROXY = BASE + 5;
const UPSTREAM_RPC = BASE + 11;
const ONION_P2P_PORT = 18083;
const ONION_RPC_PORT = 18081;
const NEVER_FORWARDED = ['/send_raw_transaction', '/sendrawtransaction', 'json_rpc:relay_tx', 'json_rpc:send_raw_transaction'];

describe('a real wallet through veilnode over Tor: onion upstream, tx out over Tor to another monerod', function () {
  this.timeout(420_000);
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const mark = (name: string): void => {
    timings[name] = (Date.now() - t0) / 1000;
  };
  let fx: TorFixture;
  let dir: string;
  let p2pOnion: HarnessOnion | undefined;
  let rpcOnion: HarnessOnion | undefined;
  let monerod: MonerodHarness | undefined;
  let node: VeilnodeProcess | undefined;
  let wallet: WalletRpc | undefined;
  let address: string;
  let seed: string;
  const proxy = new CountingProxy(UPSTREAM_RPC, PROXY);

  before(async function () {
    skipWithoutMonerod(this);
    fx = await torFixture(this);
    mark('tor up');
    dir = await mkdtemp(join(tmpdir(), 'veilnode-tor-wallet-'));
    p2pOnion = await fx.net.addOnion(ANON_INBOUND, ONION_P2P_PORT);
    await proxy.start();
    rpcOnion = await fx.net.addOnion(PROXY, ONION_RPC_PORT);
    monerod = new MonerodHarness({
      basePort: BASE,
      nodes: 2,
      extraArgs: `--tx-proxy tor,127.0.0.1:${fx.net.socksPort},8 --anonymous-inbound ${p2pOnion.hostname}:${ONION_P2P_PORT},127.0.0.1:${ANON_INBOUND}`,
    });
    await monerod.start();
    wallet = new WalletRpc({ port: WALLET, daemonAddress: `127.0.0.1:${VEILNODE_RPC}`, dir: join(dir, 'wallet') });
    await wallet.start();
    // created before its daemon runs, the wallet guesses a mainnet restore height: it is restored from height 0 below
    await wallet.call('create_wallet', { filename: 'w', password: '', language: 'English' });
    address = (await wallet.call<{ address: string }>('get_address', { account_index: 0 })).address;
    seed = (await wallet.call<{ key: string }>('query_key', { key_type: 'mnemonic' })).key;
    await wallet.call('close_wallet');
    // node1 mines (node0 is its synchronised peer); before veilnode runs, so the height veilnode
    // learns from node0 over Tor is the final one
    await until('node1 mining', () => mine(1).then(() => true, () => false), 60_000, 500);
    await mine(79);
    mark('mined');
    node = new VeilnodeProcess({
      dir,
      rpcPort: VEILNODE_RPC,
      config: {
        plugins: ['@veilnode/tor'],
        network: 'regtest',
        dataDir: join(dir, 'data'),
        log: { level: 'info' },
        rpc: { bindIp: '127.0.0.1', bindPort: VEILNODE_RPC, upstream: { address: `http://${rpcOnion.hostname}:${ONION_RPC_PORT}`, connectTimeoutMs: 60_000, watchIntervalMs: 2_000 } },
        // Tor only: no clearnet socket at all
        zones: { clearnet: { enabled: false }, tor: { proxy: `socks5://127.0.0.1:${fx.net.socksPort}`, exclusivePeers: [`${p2pOnion.hostname}:${ONION_P2P_PORT}`] } },
      },
    });
    await node.start();
    mark('veilnode up');
  });

  after(async function () {
    this.timeout(60_000);
    console.log(`      timings (s since suite start): ${JSON.stringify(timings)}`);
    await wallet?.stop();
    await node?.stop();
    await monerod?.stop();
    await proxy.stop();
    await p2pOnion?.close();
    await rpcOnion?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function mine(blocks: number): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${UPSTREAM_RPC}/json_rpc`, {
      method: 'POST',
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'generateblocks', params: { amount_of_blocks: blocks, wallet_address: address, starting_nonce: 0 } }),
    });
    const body = (await res.json()) as { result?: { status: string } };
    if (body.result?.status !== 'OK') throw new Error('generateblocks failed');
  }

  it('the wallet refreshes through the onion upstream and shows its balance', async () => {
    const w = wallet as WalletRpc;
    // a new onion's descriptor takes seconds to minutes to spread: the first calls may fail
    await until('a forwarded answer through the onion upstream', () => (node as VeilnodeProcess).rpc<{ version?: number }>('get_version').then((r) => r.version, () => undefined), 180_000, 2_000);
    mark('upstream onion answers');
    await w.call('restore_deterministic_wallet', { filename: 'restored', seed, password: '', restore_height: 0, autosave_current: false });
    await w.call('auto_refresh', { enable: false });
    await w.call('refresh');
    const balance = await w.call<{ unlocked_balance: number }>('get_balance', { account_index: 0 });
    expect(balance.unlocked_balance).to.be.greaterThan(0);
    expect(proxy.calls).to.include('/getblocks.bin');
    mark('refreshed');
  });

  it('a transfer leaves over Tor to node0, never to the upstream by RPC, and is confirmed after mining', async () => {
    const w = wallet as WalletRpc;
    const sent = await w.call<{ tx_hash: string }>('transfer', { destinations: [{ amount: 1_000_000_000, address }], priority: 0, ring_size: 16 });
    mark('transfer answered');
    const node0Pool = async (): Promise<boolean> => (await (monerod as MonerodHarness).getTransactionPool()).some((p) => p.id_hash === sent.tx_hash);
    await until('the tx in node0’s pool (over Tor)', node0Pool, 180_000, 1_000);
    mark('in node0 pool');
    expect(proxy.calls.filter((c) => NEVER_FORWARDED.includes(c))).to.deep.equal([]);
    await until('the tx in node1’s pool (p2p from node0)', async () => {
      const r = await fetch(`http://127.0.0.1:${UPSTREAM_RPC}/get_transaction_pool_hashes`, { method: 'POST', body: '{}' });
      return ((await r.json()) as { tx_hashes?: string[] }).tx_hashes?.includes(sent.tx_hash) ?? false;
    }, 60_000, 1_000);
    await mine(1);
    await w.call('refresh');
    const transfer = await w.call<{ transfer: { confirmations: number } }>('get_transfer_by_txid', { txid: sent.tx_hash });
    expect(transfer.transfer.confirmations).to.be.greaterThan(0);
    mark('confirmed');
    expect(proxy.calls.filter((c) => NEVER_FORWARDED.includes(c))).to.deep.equal([]);
  });
});
