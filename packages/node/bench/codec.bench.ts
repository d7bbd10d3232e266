/**
 * Wire codec throughput: `npm run bench` (after a build). Prints numbers and their ratio to the
 * targets; asserts nothing (timings depend on the machine).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeInvokeMessage, encodeNotifyMessage, encodeNotifyMessageParts, genesisHash, LevinStreamDecoder, LEVIN_DEFAULT_MAX_PACKET_SIZE, NewTransactions, TimedSync, type NewTransactionsNotify, type TimedSyncRequest, writeStorage } from '@veilnode/protocol';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const TARGET_DECODE_BYTES_PER_S = 10e9;
const TARGET_TIMED_SYNCS_PER_S = 500_000;
const TARGET_ENCODE_SLOWDOWN = 2;

/**
 * Runs `fn` repeatedly for about `ms` after a warm-up; returns operations per second of this
 * process's CPU time (the machine may be shared, so wall time would measure the neighbours) and
 * of wall time.
 */
function rate(fn: () => void, ms = 1000): { cpu: number; wall: number } {
  const elapsedMs = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6;
  for (const warm = process.hrtime.bigint(); elapsedMs(warm) < ms / 4; ) fn();
  let ops = 0;
  let batch = 1;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  while (elapsedMs(start) < ms) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    batch = Math.min(batch * 2, 1024);
  }
  const wallS = elapsedMs(start) / 1e3;
  const cpu = process.cpuUsage(cpu0);
  return { cpu: ops / ((cpu.user + cpu.system) / 1e6), wall: ops / wallS };
}

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });

function decodeFrame<T extends object>(frame: Buffer, decodeBody: (b: readonly Buffer[]) => T): T {
  const [m] = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE }).push(frame);
  return decodeBody(m.segments);
}

// --- NOTIFY_NEW_TRANSACTIONS: 100 txs of 1.5 KB ---
const txs = Array.from({ length: 100 }, (_, i) => Buffer.alloc(1536, i));
const notify: NewTransactionsNotify = { txs, _: Buffer.alloc(0), dandelionpp_fluff: false };
const notifyFrame = encodeNotifyMessage(NewTransactions, notify);
let sink = 0;
const decodeTx = rate(() => {
  sink += decodeFrame(notifyFrame, (b) => NewTransactions.body.decode(b)).txs.length;
});
const encodeTx = rate(() => {
  sink += encodeNotifyMessage(NewTransactions, notify).length;
});
// The send path: header + glue written, tx blobs referenced (socket.cork/write…/uncork = writev).
const encodeTxParts = rate(() => {
  sink += encodeNotifyMessageParts(NewTransactions, notify).length;
});
// Contiguous encoding into a buffer the caller reuses: the copy without the fresh-memory page faults.
const reused = Buffer.allocUnsafe(notifyFrame.length);
const encodeTxReused = rate(() => {
  sink += writeStorage(NewTransactions.body, notify, reused, 33);
});
// As it arrives from a socket: 64 KiB chunks, so the body is copied once out of the chunks.
const notifyChunks = Array.from({ length: Math.ceil(notifyFrame.length / 65536) }, (_, i) => notifyFrame.subarray(i * 65536, (i + 1) * 65536));
const decodeTxChunked = rate(() => {
  const d = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE });
  for (const c of notifyChunks) for (const m of d.push(c)) sink += NewTransactions.body.decode(m.segments).txs.length;
});

// --- TIMED_SYNC request ---
const sync: TimedSyncRequest = {
  payload_data: {
    current_height: 3_200_000n,
    cumulative_difficulty: 0x1234567890abcdefn,
    cumulative_difficulty_top64: 0n,
    top_id: genesisHash('mainnet'),
    top_version: 16,
    pruning_seed: 0,
  },
};
const syncFrame = encodeInvokeMessage(TimedSync, sync);
// A connection's long-lived decoder, one message per received chunk (how timed syncs arrive).
const syncDecoder = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE });
const decodeSync = rate(() => {
  for (const m of syncDecoder.push(syncFrame)) sink += TimedSync.request.decode(m.segments).payload_data.top_version;
});
const encodeSync = rate(() => {
  sink += encodeInvokeMessage(TimedSync, sync).length;
});
// One decoder, many messages per chunk: the steady state of a busy connection.
const SYNCS_PER_CHUNK = 100;
const syncStream = Buffer.concat(Array.from({ length: SYNCS_PER_CHUNK }, () => syncFrame));
const streamDecoder = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE });
const decodeSyncStream = rate(() => {
  for (const m of streamDecoder.push(syncStream)) sink += TimedSync.request.decode(m.segments).payload_data.top_version;
});

// --- heap growth per 10,000 decoded messages (results dropped) ---
function heapGrowth(decodeOnce: () => unknown): { allocatedKiB: number; retainedBytes: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 10_000; i++) decodeOnce();
  const allocated = process.memoryUsage().heapUsed - before;
  gc();
  return { allocatedKiB: allocated / 1024, retainedBytes: process.memoryUsage().heapUsed - before };
}
const heapSync = heapGrowth(() => decodeFrame(syncFrame, (b) => TimedSync.request.decode(b)));
const heapTx = heapGrowth(() => decodeFrame(notifyFrame, (b) => NewTransactions.body.decode(b)));

type Rate = { cpu: number; wall: number };
const scale = (r: Rate, k: number): Rate => ({ cpu: r.cpu * k, wall: r.wall * k });
const row = (label: string, r: Rate, unit: string, target?: number): void => {
  const ratio = target === undefined ? '' : `${fmt(r.cpu / target, 2)}×`;
  console.log(`${label.padEnd(46)}${`${fmt(r.cpu, 0)} ${unit}`.padStart(20)}${`${fmt(r.wall, 0)} ${unit}`.padStart(20)}${ratio.padStart(12)}`);
};

console.log(`node ${process.version}, every limit check on; rates per second of process CPU time and of wall time`);
console.log(`2002 frame: ${txs.length} txs × ${txs[0].length} B = ${fmt(notifyFrame.length, 0)} bytes; timed sync frame: ${syncFrame.length} bytes\n`);
console.log(`${'measure'.padEnd(46)}${'CPU time'.padStart(20)}${'wall time'.padStart(20)}${'vs target'.padStart(12)}`);
row('decode 2002, one chunk (MB/s)', scale(decodeTx, notifyFrame.length / 1e6), 'MB/s', TARGET_DECODE_BYTES_PER_S / 1e6);
row('decode 2002, 64 KiB chunks (MB/s)', scale(decodeTxChunked, notifyFrame.length / 1e6), 'MB/s', TARGET_DECODE_BYTES_PER_S / 1e6);
row('encode 2002 as parts, blobs referenced (MB/s)', scale(encodeTxParts, notifyFrame.length / 1e6), 'MB/s');
row('encode 2002 into a reused buffer (MB/s)', scale(encodeTxReused, notifyFrame.length / 1e6), 'MB/s');
row('encode 2002 into a new Buffer (MB/s)', scale(encodeTx, notifyFrame.length / 1e6), 'MB/s');
const slowdown = (label: string, enc: Rate): void => {
  const cpu = decodeTx.cpu / enc.cpu;
  console.log(`${label.padEnd(46)}${fmt(cpu, 2).padStart(20)}${fmt(decodeTx.wall / enc.wall, 2).padStart(20)}${`${fmt(TARGET_ENCODE_SLOWDOWN / cpu, 2)}×`.padStart(12)}`);
};
slowdown('encode ÷ decode time, parts (target ≤ 2)', encodeTxParts);
slowdown('encode ÷ decode time, reused buffer', encodeTxReused);
slowdown('encode ÷ decode time, new Buffer', encodeTx);
row('decode timed sync, one per chunk', decodeSync, 'msg/s', TARGET_TIMED_SYNCS_PER_S);
row(`decode timed sync, ${SYNCS_PER_CHUNK} per chunk`, scale(decodeSyncStream, SYNCS_PER_CHUNK), 'msg/s', TARGET_TIMED_SYNCS_PER_S);
row('encode timed sync', encodeSync, 'msg/s');
console.log(`\nheap per 10,000 decoded timed syncs: ${fmt(heapSync.allocatedKiB, 0)} KiB allocated, ${fmt(heapSync.retainedBytes, 0)} B retained after GC`);
console.log(`heap per 10,000 decoded 2002s:       ${fmt(heapTx.allocatedKiB, 0)} KiB allocated, ${fmt(heapTx.retainedBytes, 0)} B retained after GC`);
if (sink === 0) console.log('(unreachable: keeps results alive)');
