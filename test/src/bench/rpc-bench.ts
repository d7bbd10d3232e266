/**
 * `npm run bench:rpc`: a real monero-wallet-rpc refreshing ≥ 1,000 regtest blocks, and a batch
 * of /get_outs.bin calls, directly against a monerod and through veilnode forwarding to that same
 * monerod, in one run. The machine it runs on is usually shared, and its load swings more than
 * the forwarding cost: so the two paths run in PAIRS back-to-back legs (direct then via, via then
 * direct, alternating per pair). The figure is the time ratio over all pairs (the summed via
 * times over the summed direct times, target ≤ 1.1): a wallet's refresh of the same chain takes
 * 1.5 s in one leg and 7 s in the next on either path (the wallet's own scanning and disk), so a
 * single pair's ratio ranges 0.3–2.6 and the median of those ratios moves ±0.1 between runs; the
 * per-pair medians and spreads are printed beside it. veilnode's CPU time per MB it passed on
 * (from /proc, not the clock) is the figure load does not move; its RSS added while it forwarded
 * has the target < 50 MiB. A benchmark, not a test: it asserts nothing.
 * Then one more pair runs through timing taps (HttpCallTap), outside the figures above: the
 * wallets' calls per path and method on both paths, and, through a second veilnode whose
 * upstream is tapped, how much of each call's time the upstream took and how much veilnode added.
 * Ports: MONERO_BASE_PORT + 286..299. Env: BENCH_RPC_BLOCKS (1000), BENCH_RPC_PAIRS (11).
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
import { HttpCallTap, type CallStats } from './http-call-tap';

const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 286;
const VEILNODE_P2P = BASE + 10;
const VEILNODE_RPC = BASE + 11;
/** Taps in front of monerod (for the direct wallet), of the tapped veilnode, and of its upstream. */
const TAP_DIRECT = BASE + 3;
const TAP_VIA = BASE + 4;
const TAP_UPSTREAM = BASE + 6;
const TAPPED_P2P = BASE + 7;
const TAPPED_RPC = BASE + 8;
const BLOCKS = Number(process.env.BENCH_RPC_BLOCKS ?? 1_000);
const PAIRS = Number(process.env.BENCH_RPC_PAIRS ?? 11);
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
  const veilnode = (name: string, p2pPort: number, rpcPort: number, upstreamPort: number): VeilnodeProcess =>
    new VeilnodeProcess({
      dir,
      name,
      rpcPort,
      config: {
        plugins: ['@veilnode/clearnet'],
        network: 'regtest',
        dataDir: join(dir, `${name}-data`),
        log: { level: 'warn' },
        p2p: { bindIp: '127.0.0.1', bindPort: p2pPort },
        rpc: { bindIp: '127.0.0.1', bindPort: rpcPort, upstream: { address: `http://127.0.0.1:${upstreamPort}` } },
        zones: { clearnet: { enabled: true, transport: 'clearnet', exclusivePeers: [`127.0.0.1:${monerod.p2pPort}`] } },
      },
    });
  const node = veilnode('veilnode', VEILNODE_P2P, VEILNODE_RPC, monerod.rpcPort);
  const tapped = veilnode('veilnode-tapped', TAPPED_P2P, TAPPED_RPC, TAP_UPSTREAM);
  const taps = { direct: new HttpCallTap(monerod.rpcPort, TAP_DIRECT), via: new HttpCallTap(TAPPED_RPC, TAP_VIA), upstream: new HttpCallTap(monerod.rpcPort, TAP_UPSTREAM) };
  // Every wallet speaks plain HTTP to its daemon: in the default --daemon-ssl autodetect a wallet
  // makes an RSA key for each new daemon connection (0.3–3 s of CPU, its length a matter of luck),
  // noise in the legs' times that is no daemon's doing. TLS to veilnode is shown by the wallet suites.
  const walletFor = (daemonPort: number, name: string): WalletRpc =>
    new WalletRpc({ port: BASE + 12, daemonAddress: `127.0.0.1:${daemonPort}`, dir: join(dir, `wallet-${name}`), extraArgs: ['--daemon-ssl', 'disabled'] });
  try {
    await monerod.start();
    await node.start();
    const creator = walletFor(monerod.rpcPort, 'creator');
    await creator.start();
    await creator.call('create_wallet', { filename: 'miner', password: '', language: 'English' });
    const { address } = await creator.call<{ address: string }>('get_address', { account_index: 0 });
    const { key: seed } = await creator.call<{ key: string }>('query_key', { key_type: 'mnemonic' });
    await creator.stop();
    // monerod mines only once it has a synchronised peer: veilnode
    await until('monerod mining', () => monerod.generateBlocks(1, address).then(() => true, () => false), 60_000, 500);
    for (let left = BLOCKS - 1; left > 0; left -= 100) await monerod.generateBlocks(Math.min(100, left), address);
    const height = (await monerod.getInfo()).height;
    const pid = node.pid as number;
    const idleRss = await rssKiB(pid, 'VmRSS');

    /**
     * Restores the miner's wallet from its seed and refreshes it through `daemonPort`: the time.
     * Each leg gets a wallet process of its own (started and stopped outside the time): one
     * long-lived process per path ran 25 % faster or slower than the other for a whole run, on
     * either path, a bias of the process and not of its daemon. (restore_deterministic_wallet
     * scans the chain itself, through the daemon the process was started with.)
     */
    const refresh = async (daemonPort: number, name: string): Promise<number> => {
      const wallet = walletFor(daemonPort, name);
      await wallet.start();
      try {
        return await timed(async () => {
          await wallet.call('restore_deterministic_wallet', { filename: name, seed, password: '', restore_height: 0, autosave_current: false });
          await wallet.call('refresh');
        });
      } finally {
        await wallet.stop();
      }
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
      const refreshMs = await refresh(path === 'direct' ? monerod.rpcPort : VEILNODE_RPC, `${path}-${pair}`);
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
    console.log(row('both together', (leg) => leg.refreshMs + leg.outsMs));
    const sum = (list: Leg[], value: (leg: Leg) => number): number => list.reduce((total, leg) => total + value(leg), 0);
    const totalRatio = (value: (leg: Leg) => number): string => (sum(legs.via, value) / sum(legs.direct, value)).toFixed(2);
    console.log(`time ratio over all ${PAIRS} pairs (summed via / summed direct): refresh ${totalRatio((leg) => leg.refreshMs)}, get_outs.bin ${totalRatio((leg) => leg.outsMs)}, both together ${totalRatio((leg) => leg.refreshMs + leg.outsMs)}   target ≤ 1.1`);
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

    // the tapped pair: same workloads, every call timed on both paths and at the tapped veilnode's upstream
    await tapped.start();
    await Promise.all(Object.values(taps).map((tap) => tap.start()));
    const tappedMs = { direct: await refresh(TAP_DIRECT, 'tapped-direct'), via: await refresh(TAP_VIA, 'tapped-via') };
    const outsMs = { direct: await getOuts(TAP_DIRECT), via: await getOuts(TAP_VIA) };
    console.log(`tapped pair (through the taps, not in the figures above): refresh direct ${seconds(tappedMs.direct)}, via ${seconds(tappedMs.via)}; get_outs.bin direct ${seconds(outsMs.direct)}, via ${seconds(outsMs.via)}`);
    printCallTable(taps);
  } finally {
    await Promise.allSettled(Object.values(taps).map((tap) => tap.stop()));
    await Promise.allSettled([node.stop(), tapped.stop()]);
    await monerod.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Per call kind: count, total and max on each path, and of the via time, the upstream's share and veilnode's. */
function printCallTable(taps: { readonly direct: HttpCallTap; readonly via: HttpCallTap; readonly upstream: HttpCallTap }): void {
  const names = [...new Set([...taps.direct.calls.keys(), ...taps.via.calls.keys()])].sort();
  const none: CallStats = { count: 0, totalMs: 0, maxMs: 0 };
  const cell = (stats: CallStats): string => `${String(stats.count).padStart(5)} ${stats.totalMs.toFixed(0).padStart(7)} ${stats.maxMs.toFixed(1).padStart(7)}`;
  console.log(`${'call'.padEnd(36)} ${'direct: n    total     max'.padStart(25)} ${'via: n    total     max'.padStart(25)} ${'upstream ms'.padStart(12)} ${'added ms'.padStart(9)} ${'added/call'.padStart(10)}`);
  const sums = { direct: 0, via: 0, upstream: 0 };
  for (const name of names) {
    const [d, v, u] = [taps.direct.calls.get(name) ?? none, taps.via.calls.get(name) ?? none, taps.upstream.calls.get(name) ?? none];
    sums.direct += d.totalMs;
    sums.via += v.totalMs;
    sums.upstream += u.totalMs;
    const added = v.totalMs - u.totalMs;
    console.log(`${name.padEnd(36)} ${cell(d)} ${cell(v)} ${u.totalMs.toFixed(0).padStart(12)} ${added.toFixed(0).padStart(9)} ${(v.count > 0 ? added / v.count : 0).toFixed(2).padStart(10)}`);
  }
  console.log(`${'all calls (ms)'.padEnd(36)} ${sums.direct.toFixed(0).padStart(19)} ${sums.via.toFixed(0).padStart(25)} ${sums.upstream.toFixed(0).padStart(20)} ${(sums.via - sums.upstream).toFixed(0).padStart(9)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
