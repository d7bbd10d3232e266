/**
 * `npm run bench:rpc`: a real monero-wallet-rpc refreshing ≥ 1,000 regtest blocks, and a batch
 * of /get_outs.bin calls, once directly against a monerod and once through veilnode forwarding
 * to that same monerod (alternating, two rounds each), in one run. Prints the time ratio
 * (veilnode / direct, target ≤ 1.1) and veilnode's RSS added while it forwarded (target < 50 MiB).
 * A benchmark, not a test: it asserts nothing. Ports: MONERO_BASE_PORT + 286..299.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arrayOf, bool, encodeStorage, epeeObject, field, uint64 } from '@veilnode/protocol';
import { MonerodHarness } from '../harness/monerod';
import { VeilnodeProcess } from '../harness/veilnode-process';
import { WalletRpc } from '../harness/wallet-rpc';
import { until } from '../until';

const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 286;
const VEILNODE_P2P = BASE + 10;
const VEILNODE_RPC = BASE + 11;
const BLOCKS = Number(process.env.BENCH_RPC_BLOCKS ?? 1_000);
const GET_OUTS_CALLS = 300;
const OUTS_PER_CALL = 20;
const ROUNDS = 2;

const getOutsRequest = epeeObject<{ outputs: { amount: bigint; index: bigint }[]; get_txid: boolean }>({
  outputs: field(arrayOf(epeeObject<{ amount: bigint; index: bigint }>({ amount: field(uint64), index: field(uint64) }))),
  get_txid: field(bool),
});

async function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

async function timed(what: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await what();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'veilnode-rpc-bench-'));
  const monerod = new MonerodHarness({ basePort: BASE, exclusive: [`127.0.0.1:${VEILNODE_P2P}`] });
  const node = new VeilnodeProcess({
    dir,
    rpcPort: VEILNODE_RPC,
    config: {
      plugins: ['@veilnode/clearnet'],
      network: 'regtest',
      dataDir: join(dir, 'data'),
      log: { level: 'warn' },
      p2p: { bindIp: '127.0.0.1', bindPort: VEILNODE_P2P },
      rpc: { bindIp: '127.0.0.1', bindPort: VEILNODE_RPC, upstream: { address: `http://127.0.0.1:${monerod.rpcPort}` } },
      zones: { clearnet: { enabled: true, transport: 'clearnet', exclusivePeers: [`127.0.0.1:${monerod.p2pPort}`] } },
    },
  });
  const direct = new WalletRpc({ port: BASE + 12, daemonAddress: `127.0.0.1:${monerod.rpcPort}`, dir: join(dir, 'wallet-direct') });
  const proxied = new WalletRpc({ port: BASE + 13, daemonAddress: `127.0.0.1:${VEILNODE_RPC}`, dir: join(dir, 'wallet-veilnode') });
  try {
    await monerod.start();
    await node.start();
    await Promise.all([direct.start(), proxied.start()]);
    await direct.call('create_wallet', { filename: 'miner', password: '', language: 'English' });
    const { address } = await direct.call<{ address: string }>('get_address', { account_index: 0 });
    const { key: seed } = await direct.call<{ key: string }>('query_key', { key_type: 'mnemonic' });
    await direct.call('close_wallet');
    // monerod mines only once it has a synchronised peer: veilnode
    await until('monerod mining', () => monerod.generateBlocks(1, address).then(() => true, () => false), 60_000, 500);
    for (let left = BLOCKS - 1; left > 0; left -= 100) await monerod.generateBlocks(Math.min(100, left), address);
    const height = (await monerod.getInfo()).height;
    const pid = node.pid as number;
    const idleRss = await rssKiB(pid, 'VmRSS');

    const refresh = async (wallet: WalletRpc, name: string): Promise<number> => {
      const ms = await timed(async () => {
        await wallet.call('restore_deterministic_wallet', { filename: name, seed, password: '', restore_height: 0, autosave_current: false });
        await wallet.call('refresh');
      });
      await wallet.call('close_wallet');
      return ms;
    };
    const getOuts = async (port: number): Promise<number> => {
      let seedIndex = 1;
      return timed(async () => {
        for (let call = 0; call < GET_OUTS_CALLS; call++) {
          const outputs = Array.from({ length: OUTS_PER_CALL }, () => ({ amount: 0n, index: BigInt((seedIndex = (seedIndex * 48271) % 2147483647) % (height - 100)) }));
          const response = await fetch(`http://127.0.0.1:${port}/get_outs.bin`, { method: 'POST', body: encodeStorage(getOutsRequest, { outputs, get_txid: true }) });
          if (response.status !== 200) throw new Error(`get_outs.bin answered HTTP ${response.status}`);
          await response.arrayBuffer();
        }
      });
    };

    const times = { refreshDirect: [] as number[], refreshVeilnode: [] as number[], outsDirect: [] as number[], outsVeilnode: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      times.refreshDirect.push(await refresh(direct, `direct-${round}`));
      times.refreshVeilnode.push(await refresh(proxied, `veilnode-${round}`));
      times.outsDirect.push(await getOuts(monerod.rpcPort));
      times.outsVeilnode.push(await getOuts(VEILNODE_RPC));
    }
    const peakRss = await rssKiB(pid, 'VmHWM');
    const best = (list: number[]): number => Math.min(...list);
    const row = (label: string, d: number[], v: number[]): string =>
      `${label.padEnd(34)} direct ${best(d).toFixed(0).padStart(6)} ms   via veilnode ${best(v).toFixed(0).padStart(6)} ms   ratio ${(best(v) / best(d)).toFixed(2)} (target ≤ 1.1)`;
    console.log(`rpc bench: chain height ${height}, best of ${ROUNDS} rounds each, alternating`);
    console.log(row(`wallet refresh of ${height} blocks`, times.refreshDirect, times.refreshVeilnode));
    console.log(row(`${GET_OUTS_CALLS} × get_outs.bin (${OUTS_PER_CALL} outs)`, times.outsDirect, times.outsVeilnode));
    const total = (best(times.refreshVeilnode) + best(times.outsVeilnode)) / (best(times.refreshDirect) + best(times.outsDirect));
    console.log(`overall time ratio ${total.toFixed(2)}`);
    console.log(`veilnode RSS: idle ${(idleRss / 1024).toFixed(1)} MiB, peak ${(peakRss / 1024).toFixed(1)} MiB, added ${((peakRss - idleRss) / 1024).toFixed(1)} MiB (target < 50 MiB)`);
    console.log(`raw ms: ${JSON.stringify(times, (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))}`);
  } finally {
    await Promise.allSettled([direct.stop(), proxied.stop()]);
    await node.stop().catch(() => undefined);
    await monerod.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
