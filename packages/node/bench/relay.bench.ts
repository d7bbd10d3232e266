/**
 * Relay engine numbers (a script, not a test): fsync'd enqueue latency of the local-tx journal,
 * and how many received txs per second the engine routes in virtual time.
 * Run: npx tsc -b packages/node && node packages/node/dist/bench/relay.bench.js
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DurableTxQueue } from '../src/relay/durable-tx-queue';
import { MemoryTxStore } from '../src/relay/local-tx-store';
import { RelayEngine } from '../src/relay/relay-engine';
import { LevinCovertSlotBuilder } from '../src/noise/levin-covert-slot-builder';
import { SeededRng } from '../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';

async function journalLatency(count: number): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veilnode-bench-'));
  try {
    const queue = await DurableTxQueue.open({ dir });
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      await queue.enqueue({ id: `tx${i}`, blob: Buffer.alloc(2500, i & 255) }, 0);
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    await queue.close();
    samples.sort((a, b) => a - b);
    const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(2);
    console.log(`journal enqueue (2.5 kB, fsync): n=${count} median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function routingThroughput(txCount: number, connections: number): void {
  const clock = new VirtualClock();
  let sends = 0;
  const engine = new RelayEngine(
    {
      zones: [
        { name: 'public', anonymity: false, noise: false, targetOutbound: 12 },
        { name: 'tor', anonymity: true, noise: true, targetOutbound: 4 },
      ],
    },
    {
      clock,
      rng: new SeededRng(1),
      port: { send: () => (sends++, true), sendNoiseSlot: () => (sends++, true), dial: () => undefined, close: () => undefined },
      store: new MemoryTxStore(),
      txId: (blob) => createHash('sha256').update(blob).digest('hex'),
      slotBuilder: new LevinCovertSlotBuilder(),
    },
  );
  engine.start();
  for (let i = 0; i < connections; i++) engine.onConnectionUp('public', `p${i}`, i % 4 === 0 ? 'outbound' : 'inbound');
  for (let i = 0; i < 4; i++) engine.onConnectionUp('tor', `t${i}`, 'outbound');
  const start = process.hrtime.bigint();
  for (let i = 0; i < txCount; i++) {
    const blob = Buffer.alloc(1500);
    blob.writeUInt32LE(i, 0);
    engine.onTransactionsReceived('public', `p${i % connections}`, [blob], i % 5 !== 0);
    if (i % 100 === 0) clock.advance(1_000);
  }
  clock.advance(600_000);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  engine.stop();
  console.log(`routing: ${txCount} txs over ${connections} public connections + Tor noise in ${seconds.toFixed(2)} s wall (${Math.round(txCount / seconds)} tx/s), ${sends} port calls`);
}

async function main(): Promise<void> {
  await journalLatency(200);
  routingThroughput(20_000, 48);
}

void main();
