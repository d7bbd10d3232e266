/**
 * `npm run bench:rpc`: a real monero-wallet-rpc refreshing ≥ 1,000 regtest blocks, and a batch
 * of /get_outs.bin calls, directly against a monerod and through veilnode forwarding to that same
 * monerod, in one run. The machine it runs on is usually shared, and its load swings more than
 * the forwarding cost: so the two paths run in PAIRS back-to-back legs (direct then via, via then
 * direct, alternating per pair), and the figure is the median of the per-pair time ratios
 * (veilnode / direct, target ≤ 1.1) with their spread. veilnode's CPU time per MB it passed on
 * (from /proc, not the clock) is the figure load does not move; its RSS added while it forwarded
 * has the target < 50 MiB. A benchmark, not a test: it asserts nothing.
 * Ports: MONERO_BASE_PORT + 286..299. Env: BENCH_RPC_BLOCKS (1000), BENCH_RPC_PAIRS (7).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { arrayOf, bool, encodeStorage, epeeObject, field, uint64 } from '@veilnode/protocol';
import { cpuMs } from '@veilnode/node-bench/process-usage';
import { percentile } from '@veilnode/node-bench/percentile';
import { MonerodHarness } from '../harness/monerod';
import { VeilnodeProcess } from '../harness/veilnode-process';
import { WalletRpc } from '../harness/wallet-rpc';
import { until } from '../until';

const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 286;
const VEILNODE_P2P = BASE + 10;
const VEILNODE_RPC = BASE + 11;
const BLOCKS = Number(process.env.BENCH_RPC_BLOCKS ?? 1_000);
const PAIRS = Number(process.env.BENCH_RPC_PAIRS ?? 7);
const GET_OUTS_CALLS = 300;
const OUTS_PER_CALL = 20;
const MIB = 1024 * 1024;

const getOutsRequest = epeeObject<{ outputs: { amount: bigint; index: bigint }[]; get_txid: boolean }>({
  outputs: field(arrayOf(epeeObject<{ amount: bigint; index: bigint }>({ amount: field(uint64), index: field(uint64) }))),
  get_txid: field(bool),
});

async function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/** Bytes a process has written through syscalls, sockets included (wchar of /proc/<pid>/io). */
async function writtenBytes(pid: number): Promise<number> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8');
  return Number(/^wchar:\s+(\d+)$/m.exec(io)?.[1] ?? 0);
}

async function timed(what: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await what();
  return performance.now() - t0;
}

/** One path's turn in a pair: its two workloads, and what veilnode spent meanwhile. */
interface Leg {
  readonly refreshMs: number;
  readonly outsMs: number;
  /** veilnode's CPU time during the refresh and during the get_outs.bin batch. */
  readonly refreshCpuMs: number;
  readonly outsCpuMs: number;
  /** Bytes veilnode wrote to sockets during the refresh (the answers it passed on, mostly). */
  readonly refreshWrittenBytes: number;
}

type Path = 'direct' | 'via';

const median = (values: readonly number[]): number => percentile(values, 0.5);
const spread = (values: readonly number[]): string => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

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

    const legs: Record<Path, Leg[]> = { direct: [], via: [] };
    const runLeg = async (path: Path, pair: number): Promise<void> => {
      const [cpu0, written0] = [cpuMs(pid), await writtenBytes(pid)];
      const refreshMs = await refresh(path === 'direct' ? direct : proxied, `${path}-${pair}`);
      const [cpu1, written1] = [cpuMs(pid), await writtenBytes(pid)];
      const outsMs = await getOuts(path === 'direct' ? monerod.rpcPort : VEILNODE_RPC);
      legs[path].push({ refreshMs, outsMs, refreshCpuMs: cpu1 - cpu0, outsCpuMs: cpuMs(pid) - cpu1, refreshWrittenBytes: written1 - written0 });
    };
    const loadBefore = load();
    for (let pair = 0; pair < PAIRS; pair++) {
      // the order alternates, so a load trend over the run does not favour one path
      for (const path of pair % 2 === 0 ? (['direct', 'via'] as const) : (['via', 'direct'] as const)) await runLeg(path, pair);
    }
    const peakRss = await rssKiB(pid, 'VmHWM');
    const ratios = (time: (leg: Leg) => number): number[] => legs.via.map((leg, i) => time(leg) / time(legs.direct[i]));
    const row = (label: string, time: (leg: Leg) => number, target = ''): string => {
      const r = ratios(time);
      return `${label.padEnd(36)} ${seconds(median(legs.direct.map(time))).padStart(8)} ${seconds(median(legs.via.map(time))).padStart(10)}   ${median(r).toFixed(2)} (${spread(r)})${target}`;
    };
    console.log(`rpc bench: chain height ${height}, ${PAIRS} pairs of legs (direct, via veilnode; order alternating per pair)`);
    console.log(`load average before ${loadBefore}, after ${load()} (1/5/15 min)`);
    console.log(`${''.padEnd(36)} ${'direct'.padStart(8)} ${'via'.padStart(10)}   ratio median (min–max per pair)`);
    console.log(row(`wallet refresh of ${height} blocks`, (leg) => leg.refreshMs));
    console.log(row(`${GET_OUTS_CALLS} × get_outs.bin (${OUTS_PER_CALL} outs)`, (leg) => leg.outsMs));
    console.log(row('both together', (leg) => leg.refreshMs + leg.outsMs, '   target ≤ 1.1'));
    const sum = (list: Leg[], value: (leg: Leg) => number): number => list.reduce((total, leg) => total + value(leg), 0);
    const directMs = sum(legs.direct, (leg) => leg.refreshMs + leg.outsMs);
    // what veilnode burns anyway (p2p with monerod, timers) is taken from the direct legs, where it forwards nothing
    const idleCpuPerMs = sum(legs.direct, (leg) => leg.refreshCpuMs + leg.outsCpuMs) / directMs;
    const refreshCpuMs = sum(legs.via, (leg) => leg.refreshCpuMs - idleCpuPerMs * leg.refreshMs);
    const outsCpuMs = sum(legs.via, (leg) => leg.outsCpuMs - idleCpuPerMs * leg.outsMs);
    const passedMiB = sum(legs.via, (leg) => leg.refreshWrittenBytes) / MIB;
    console.log(
      `veilnode CPU while forwarding (its idle CPU during the direct legs, ${(idleCpuPerMs * 1000).toFixed(1)} ms/s, subtracted): ` +
        `refresh ${(refreshCpuMs / passedMiB).toFixed(0)} ms per MiB passed on (${passedMiB.toFixed(1)} MiB in ${PAIRS} refreshes), ` +
        `get_outs.bin ${(outsCpuMs / (PAIRS * GET_OUTS_CALLS)).toFixed(2)} ms per call`,
    );
    console.log(`veilnode RSS: idle ${(idleRss / 1024).toFixed(1)} MiB, peak ${(peakRss / 1024).toFixed(1)} MiB, added ${((peakRss - idleRss) / 1024).toFixed(1)} MiB (target < 50 MiB)`);
    console.log(`raw legs (ms, bytes): ${JSON.stringify(legs, (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))}`);
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
