import type { CoreSyncData } from '@veilnode/protocol';
import { LoadPeer } from './load-peer';
import type { ClaimedChain, ConnectResult, LoadCommand, LoadResult, SyncResult, TxResult, WarmUpResult } from './load-protocol';
import { WarmUpResponder } from './warm-up-responder';

/**
 * The load generator: a child process of the benchmark driver (so its CPU and memory never count
 * as the node's), driven over IPC. It opens many Levin connections to one node, each from its own
 * loopback source address where possible (127.0.0.2 … 127.0.0.254: monerod shortens the idle
 * timeout of connections sharing an IP), keeps them alive with timed syncs and pushes txs.
 */

/** Source addresses to spread connections over (Linux routes all of 127/8 to lo). */
const SOURCE_ADDRESSES = Array.from({ length: 253 }, (_, i) => `127.0.0.${i + 2}`);

let peers: LoadPeer[] = [];
/** The tx being fanned out: its blob and, per receiving peer, when it arrived. */
let tracking: { blob: Buffer; sender: LoadPeer; sentAt: number; arrivals: Map<LoadPeer, number>; done?: () => void; expected: number } | undefined;

function syncDataOf(chain: ClaimedChain): CoreSyncData {
  return {
    current_height: BigInt(chain.height),
    cumulative_difficulty: BigInt(chain.cumulativeDifficulty),
    cumulative_difficulty_top64: 0n,
    top_id: Buffer.from(chain.topId, 'hex'),
    top_version: chain.topVersion,
    pruning_seed: 0,
  };
}

function onTxs(peer: LoadPeer, blobs: readonly Buffer[]): void {
  const t = tracking;
  if (!t || peer === t.sender || t.arrivals.has(peer)) return;
  if (!blobs.some((b) => b.equals(t.blob))) return;
  t.arrivals.set(peer, performance.now() - t.sentAt);
  if (t.arrivals.size >= t.expected) t.done?.();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]).finally(() => clearTimeout(timer));
}

async function connectAll(command: Extract<LoadCommand, { op: 'connect' }>): Promise<ConnectResult> {
  const syncData = syncDataOf(command.chain);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const batch: LoadPeer[] = [];
  for (let i = 0; i < command.count; i++) {
    batch.push(new LoadPeer(command.host, command.port, SOURCE_ADDRESSES[(peers.length + i) % SOURCE_ADDRESSES.length], syncData, onTxs));
  }
  const dialMs = performance.now() - started;
  const outcomes = await Promise.all(batch.map((p) => withTimeout(p.handshaken.then(() => 'ok' as const, (e: Error) => e.message), command.timeoutMs)));
  const handshakeMs: number[] = [];
  const failures: string[] = [];
  let last = started;
  batch.forEach((peer, i) => {
    const outcome = outcomes[i];
    if (outcome === 'ok' && peer.handshakenAt !== undefined) {
      handshakeMs.push(peer.handshakenAt - peer.dialedAt);
      last = Math.max(last, peer.handshakenAt);
    } else {
      failures.push(outcome === 'timeout' ? 'no handshake response in time' : String(outcome));
      peer.close();
    }
  });
  peers.push(...batch.filter((p) => p.open));
  const used = process.cpuUsage(cpu);
  return { op: 'connect', handshakeMs, wallMs: last - started, dialMs, failures, loadCpuMs: (used.user + used.system) / 1000 };
}

async function warmUp(command: Extract<LoadCommand, { op: 'warm-up' }>): Promise<WarmUpResult> {
  const responder = new WarmUpResponder(syncDataOf(command.chain));
  const port = await responder.listen();
  try {
    for (let round = 0; round < command.rounds; round++) {
      const result = await connectAll({ op: 'connect', host: '127.0.0.1', port, count: command.count, chain: command.chain, timeoutMs: 60_000 });
      for (const p of peers) p.close();
      peers = [];
      if (result.failures.length > 0) throw new Error(`warm-up: ${result.failures.length} handshakes with the generator's own responder failed (${result.failures[0]})`);
    }
  } finally {
    await responder.close();
  }
  return { op: 'warm-up' };
}

async function syncAll(timeoutMs: number): Promise<SyncResult> {
  const outcomes = await Promise.all(peers.map((p) => withTimeout(p.timedSync().then(() => 'ok' as const, (e: Error) => e.message), timeoutMs)));
  const failures = outcomes.filter((o) => o !== 'ok').map((o) => (o === 'timeout' ? 'no timed sync response in time' : o));
  return { op: 'sync', answered: outcomes.length - failures.length, failures };
}

async function fanOut(blobHex: string, timeoutMs: number): Promise<TxResult> {
  const sender = peers.find((p) => p.open);
  if (!sender) throw new Error('no open connection to push a tx on');
  const expected = peers.filter((p) => p.open && p !== sender).length;
  const blob = Buffer.from(blobHex, 'hex');
  const t: NonNullable<typeof tracking> = { blob, sender, sentAt: performance.now(), arrivals: new Map(), expected };
  tracking = t;
  const complete = new Promise<void>((resolve) => (t.done = resolve));
  sender.sendTransactions([blob]);
  if (expected > 0) await withTimeout(complete, timeoutMs);
  tracking = undefined;
  return { op: 'tx', arrivalsMs: [...t.arrivals.values()], expected };
}

async function handle(command: LoadCommand): Promise<LoadResult> {
  switch (command.op) {
    case 'connect':
      return connectAll(command);
    case 'sync':
      return syncAll(command.timeoutMs);
    case 'tx':
      return fanOut(command.blobHex, command.timeoutMs);
    case 'warm-up':
      return warmUp(command);
    case 'close':
      for (const p of peers) p.close();
      peers = [];
      return { op: 'close' };
  }
}

process.on('message', (command: LoadCommand) => {
  handle(command).then(
    (result) => process.send?.(result),
    (err: Error) => process.send?.({ op: 'error', message: err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
