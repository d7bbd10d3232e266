/**
 * Local-tx journal numbers (a script, not a test): the journal's size while one tx is
 * resubmitted many times (what a restricted RPC client can do), the fsync'd latency of a new tx
 * against a known one (they must cost the same), and the replay time of a full queue.
 * Run: npx tsc -b packages/node && node packages/node/dist/bench/journal.bench.js [resubmissions]
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_JOURNAL_FILE, DEFAULT_MAX_WAITING_BYTES, DEFAULT_MAX_WAITING_TXS, DurableTxQueue } from '../src/relay/durable-tx-queue';

const TX_BYTES = 1500;
const blob = (fill: number, size = TX_BYTES) => new Uint8Array(Buffer.alloc(size, fill));

function quantiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2);
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms`;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function inTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veilnode-journal-bench-'));
  try {
    await run(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function resubmissions(count: number): Promise<void> {
  await inTempDir(async (dir) => {
    const file = path.join(dir, DEFAULT_JOURNAL_FILE);
    const queue = await DurableTxQueue.open({ dir });
    let largest = 0;
    const started = Date.now();
    for (let i = 0; i < count; i++) {
      await queue.enqueue({ id: 'a'.repeat(64), blob: blob(1) }, i);
      if (i % 100 === 0) largest = Math.max(largest, (await fs.stat(file)).size);
    }
    const seconds = (Date.now() - started) / 1000;
    const final = (await fs.stat(file)).size;
    await queue.close();
    console.log(`${count} resubmissions of one ${TX_BYTES}-byte tx: ${seconds.toFixed(1)} s, journal ${final} bytes at the end, largest seen ${(largest / 1048576).toFixed(2)} MiB`);
  });
}

async function newAgainstKnown(pairs: number): Promise<void> {
  await inTempDir(async (dir) => {
    const queue = await DurableTxQueue.open({ dir });
    await queue.enqueue({ id: 'known', blob: blob(2) }, 0);
    const fresh: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < pairs; i++) {
      fresh.push(await timed(() => queue.enqueue({ id: `new${i}`, blob: blob(i & 255) }, i)));
      known.push(await timed(() => queue.enqueue({ id: 'known', blob: blob(2) }, i)));
      await queue.markDelivered(`new${i}`); // keep one live tx: the same state for every pair
    }
    await queue.close();
    console.log(`enqueue of a new tx (n=${pairs}): ${quantiles(fresh)}`);
    console.log(`enqueue of a waiting tx (n=${pairs}): ${quantiles(known)}`);
  });
}

async function replayFullQueue(): Promise<void> {
  await inTempDir(async (dir) => {
    const size = Math.floor(DEFAULT_MAX_WAITING_BYTES / DEFAULT_MAX_WAITING_TXS);
    const queue = await DurableTxQueue.open({ dir });
    for (let i = 0; i < DEFAULT_MAX_WAITING_TXS; i++) await queue.enqueue({ id: `t${i}`, blob: blob(i & 255, size) }, i);
    await queue.close();
    const bytes = (await fs.stat(path.join(dir, DEFAULT_JOURNAL_FILE))).size;
    const before = process.memoryUsage().rss;
    let reopened: DurableTxQueue | undefined;
    const ms = await timed(async () => (reopened = await DurableTxQueue.open({ dir })));
    const added = process.memoryUsage().rss - before;
    await reopened?.close();
    console.log(`replay of a full queue (${DEFAULT_MAX_WAITING_TXS} txs, ${(bytes / 1048576).toFixed(1)} MiB): ${ms.toFixed(0)} ms, RSS +${(added / 1048576).toFixed(0)} MiB`);
  });
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100_000);
  await newAgainstKnown(500);
  await replayFullQueue();
  await resubmissions(count);
}

void main();
