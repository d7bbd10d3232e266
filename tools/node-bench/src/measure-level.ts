import { BenchError } from './bench-error';
import type { BenchTarget } from './bench-target';
import type { LoadClient } from './load-client';
import type { ClaimedChain } from './load-protocol';
import { percentile } from './percentile';
import { cpuMs, residentBytes } from './process-usage';

/** One burst of N simultaneous dials. NaN where nothing could be measured. */
export interface BurstFigures {
  readonly handshakeP50Ms: number;
  readonly handshakeP99Ms: number;
  /** Handshakes completed per second of the burst (first dial → last response). */
  readonly rate: number;
  readonly cpuPerHandshakeMs: number;
  /** The load generator's own CPU per handshake (it shares the machine with the node). */
  readonly loadCpuPerHandshakeMs: number;
  /** The generator's CPU over the burst ÷ the burst's wall time: near 100 % means it, not the node, set the pace. */
  readonly loadBusyPercent: number;
  /** How long the generator's synchronous dial loop took (first dial → last dial issued). */
  readonly dialMs: number;
}

/** What one target did at one peer count. NaN where nothing could be measured. */
export interface LevelResult {
  readonly peers: number;
  /** The first burst on a fresh process (after the small warm-up). */
  readonly first: BurstFigures;
  /** The same burst again once those connections were closed: a node that has run a while. */
  readonly repeat: BurstFigures;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  /** (RSS with every connection of the first burst handshaken and synced − RSS before) / connections. */
  readonly rssPerConnectionBytes: number;
  readonly cpuPerTxMs: number;
  /** Receipt (our send) → the last other connection received the tx, median over the txs. */
  readonly fanOutMs: number;
  /** Anything that kept the run from completing. Empty when it completed. */
  readonly problems: string[];
}

export interface LevelPlan {
  readonly peers: number;
  readonly chain: ClaimedChain;
  readonly txs: readonly string[];
  readonly settleMs: number;
  /** Connections opened, synced and closed before measuring (the same for every target). */
  readonly warmUpPeers: number;
  readonly handshakeTimeoutMs: number;
  readonly fanOutTimeoutMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function summarise(failures: readonly string[], what: string): string[] {
  if (failures.length === 0) return [];
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(f, (counts.get(f) ?? 0) + 1);
  return [`${failures.length} ${what} failed: ${[...counts].map(([f, n]) => `${n}× ${f}`).join('; ')}`];
}

/** Dials `plan.peers` connections at once; the node's CPU is read around the burst. */
async function burst(target: BenchTarget, load: LoadClient, plan: LevelPlan, problems: string[], what: string): Promise<BurstFigures & { held: number }> {
  const cpu0 = cpuMs(target.pid);
  const connect = await load.request({ op: 'connect', host: target.host, port: target.port, count: plan.peers, chain: plan.chain, timeoutMs: plan.handshakeTimeoutMs });
  const cpu1 = cpuMs(target.pid);
  problems.push(...summarise(connect.failures, what));
  const held = connect.handshakeMs.length;
  return {
    held,
    handshakeP50Ms: percentile(connect.handshakeMs, 0.5),
    handshakeP99Ms: percentile(connect.handshakeMs, 0.99),
    rate: held > 0 ? held / (connect.wallMs / 1000) : Number.NaN,
    cpuPerHandshakeMs: held > 0 ? (cpu1 - cpu0) / held : Number.NaN,
    loadCpuPerHandshakeMs: held > 0 ? connect.loadCpuMs / held : Number.NaN,
    loadBusyPercent: connect.wallMs > 0 ? (100 * connect.loadCpuMs) / connect.wallMs : Number.NaN,
    dialMs: connect.dialMs,
  };
}

/**
 * Starts the target fresh, warms it up, bursts `peers` handshakes at it, holds them with a timed
 * sync (RSS), pushes the txs, closes them, bursts again, stops it.
 */
export async function measureLevel(target: BenchTarget, load: LoadClient, plan: LevelPlan): Promise<LevelResult> {
  await target.start();
  try {
    await sleep(plan.settleMs);
    if (plan.warmUpPeers > 0) {
      const warmUp = await load.request({ op: 'connect', host: target.host, port: target.port, count: plan.warmUpPeers, chain: plan.chain, timeoutMs: plan.handshakeTimeoutMs });
      if (warmUp.failures.length > 0) throw new BenchError('BENCH_WARM_UP', `${target.name}: ${summarise(warmUp.failures, 'warm-up handshakes').join('')}`);
      await load.request({ op: 'sync', timeoutMs: plan.handshakeTimeoutMs });
      await load.request({ op: 'close' });
      await sleep(plan.settleMs);
    }
    const pid = target.pid;
    const problems: string[] = [];
    const rssBeforeBytes = residentBytes(pid);
    const first = await burst(target, load, plan, problems, 'handshakes');

    const sync = await load.request({ op: 'sync', timeoutMs: plan.handshakeTimeoutMs });
    problems.push(...summarise(sync.failures, 'timed syncs'));
    await sleep(plan.settleMs);
    const rssAfterBytes = residentBytes(pid);

    const fanOuts: number[] = [];
    let txCpu = 0;
    for (const blobHex of plan.txs) {
      const before = cpuMs(pid);
      const tx = await load.request({ op: 'tx', blobHex, timeoutMs: plan.fanOutTimeoutMs });
      txCpu += cpuMs(pid) - before;
      if (tx.arrivalsMs.length < tx.expected) problems.push(`a tx reached ${tx.arrivalsMs.length} of ${tx.expected} connections within ${plan.fanOutTimeoutMs} ms`);
      else fanOuts.push(Math.max(0, ...tx.arrivalsMs));
    }
    await load.request({ op: 'close' });
    await sleep(plan.settleMs);
    const repeat = await burst(target, load, plan, problems, 'repeat-burst handshakes');
    await load.request({ op: 'close' });
    return {
      peers: plan.peers,
      first,
      repeat,
      rssBeforeBytes,
      rssAfterBytes,
      rssPerConnectionBytes: first.held > 0 ? (rssAfterBytes - rssBeforeBytes) / first.held : Number.NaN,
      cpuPerTxMs: plan.txs.length > 0 ? txCpu / plan.txs.length : Number.NaN,
      fanOutMs: percentile(fanOuts, 0.5),
      problems,
    };
  } finally {
    await load.request({ op: 'close' }).catch(() => undefined);
    await target.stop();
  }
}
