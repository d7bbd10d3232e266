import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DurableTxQueue, DEFAULT_JOURNAL_FILE } from '../../src/relay/durable-tx-queue';
import { JOURNAL_MAGIC, encodeRecord, parseJournal } from '../../src/relay/journal-record';
import { JournalError } from '../../src/relay/relay-errors';
import type { Logger } from '../../src/api/logger';

const CHILD = path.join(__dirname, 'fixtures', 'journal-child.js');

function recordingLogger(lines: { level: string; obj: object; msg?: string }[]): Logger {
  const log = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  const logger: Logger = { trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

async function pendingIds(dir: string): Promise<string[]> {
  const queue = await DurableTxQueue.open({ dir });
  const ids = queue.pending().map((t) => t.id);
  await queue.close();
  return ids;
}

const tx = (id: string, fill: number, size = 300) => ({ id, blob: new Uint8Array(Buffer.alloc(size, fill)) });

describe('DurableTxQueue', () => {
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veilnode-journal-'))));
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('replays enqueued and not yet delivered txs after reopening', async () => {
    const queue = await DurableTxQueue.open({ dir: path.join(dir, 'data') });
    await queue.enqueue(tx('a', 1), 0);
    await queue.enqueue(tx('b', 2), 0);
    await queue.enqueue(tx('c', 3), 0);
    await queue.enqueue(tx('a', 1), 0); // duplicate submission: a dead record, still one tx
    await queue.markDelivered('b');
    await queue.close();
    const reopened = await DurableTxQueue.open({ dir: path.join(dir, 'data') });
    expect(reopened.pending().map((t) => t.id)).to.deep.equal(['a', 'c']);
    expect(Buffer.from(reopened.pending()[1].blob)).to.deep.equal(Buffer.alloc(300, 3));
    await reopened.close();
  });

  it('writes and fsyncs a duplicate submission like a new one, so its timing tells nothing', async () => {
    const queue = await DurableTxQueue.open({ dir });
    const file = path.join(dir, DEFAULT_JOURNAL_FILE);
    await queue.enqueue(tx('a', 1), 0);
    const once = (await fs.stat(file)).size;
    await queue.enqueue(tx('a', 1), 0);
    expect((await fs.stat(file)).size).to.equal(once + (once - JOURNAL_MAGIC.length));
    expect(queue.pending().map((t) => t.id)).to.deep.equal(['a']);
    await queue.close();
    expect(await pendingIds(dir)).to.deep.equal(['a']);
  });

  it('compacts the journal when entries are delivered', async () => {
    const queue = await DurableTxQueue.open({ dir, compactAfter: 4 });
    const file = path.join(dir, DEFAULT_JOURNAL_FILE);
    for (const id of ['a', 'b', 'c']) await queue.enqueue(tx(id, 7, 1000), 0);
    const full = (await fs.stat(file)).size;
    await queue.markDelivered('a');
    await queue.markDelivered('b'); // 4 dead records: rewritten with c only
    const compacted = (await fs.stat(file)).size;
    expect(compacted).to.be.below(full / 2);
    expect(parseJournal(await fs.readFile(file)).records.map((r) => r.type)).to.deep.equal(['enqueue']);
    await queue.markDelivered('c');
    expect((await fs.stat(file)).size).to.equal(JOURNAL_MAGIC.length);
    await queue.enqueue(tx('d', 9), 0); // appends still go to the live file after compaction
    await queue.close();
    expect(await pendingIds(dir)).to.deep.equal(['d']);
  });

  it('drops a torn last record with a log line and keeps every record before it', async () => {
    const queue = await DurableTxQueue.open({ dir });
    await queue.enqueue(tx('a', 1), 0);
    await queue.enqueue(tx('b', 2), 0);
    await queue.close();
    const file = path.join(dir, DEFAULT_JOURNAL_FILE);
    const torn = encodeRecord({ type: 'enqueue', tx: tx('c', 3) }).subarray(0, 150);
    await fs.appendFile(file, torn);
    const lines: { level: string; obj: object; msg?: string }[] = [];
    const reopened = await DurableTxQueue.open({ dir, logger: recordingLogger(lines) });
    expect(reopened.pending().map((t) => t.id)).to.deep.equal(['a', 'b']);
    expect(lines.filter((l) => l.level === 'warn')).to.have.length(1);
    expect(lines[0].obj).to.include({ reason: 'torn record at end of journal' });
    // The torn bytes were cut: new appends are readable.
    await reopened.enqueue(tx('d', 4), 0);
    await reopened.close();
    expect(await pendingIds(dir)).to.deep.equal(['a', 'b', 'd']);
  });

  it('detects a checksum-corrupted last record and skips a corrupted middle one', () => {
    const a = encodeRecord({ type: 'enqueue', tx: tx('a', 1) });
    const b = encodeRecord({ type: 'enqueue', tx: tx('b', 2) });
    const c = encodeRecord({ type: 'enqueue', tx: tx('c', 3) });
    const middleBad = Buffer.from(b);
    middleBad[40] ^= 0xff;
    const parsed = parseJournal(Buffer.concat([JOURNAL_MAGIC, a, middleBad, c]));
    expect(parsed.records.map((r) => (r.type === 'enqueue' ? r.tx.id : r.id))).to.deep.equal(['a', 'c']);
    expect(parsed.problems.map((p) => p.reason)).to.deep.equal(['checksum mismatch, record skipped']);
    const lastBad = Buffer.from(c);
    lastBad[lastBad.length - 1] ^= 0x01;
    const tail = parseJournal(Buffer.concat([JOURNAL_MAGIC, a, b, lastBad]));
    expect(tail.records).to.have.length(2);
    expect(tail.validLength).to.equal(JOURNAL_MAGIC.length + a.length + b.length);
  });

  it('refuses a file that is not a journal with a typed error', async () => {
    await fs.writeFile(path.join(dir, DEFAULT_JOURNAL_FILE), 'hello, not a journal');
    const error = await DurableTxQueue.open({ dir }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(JournalError);
    expect(error).to.have.property('code', 'JOURNAL_BAD_MAGIC');
  });

  function runChild(mode: string, onLine: (line: string, kill: () => void) => void): Promise<{ signal: NodeJS.Signals | null; lines: string[] }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CHILD, dir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines: string[] = [];
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const line of parts) {
          lines.push(line);
          onLine(line, () => child.kill('SIGKILL'));
        }
      });
      child.on('error', reject);
      child.on('exit', (_code, signal) => resolve({ signal, lines }));
    });
  }

  it('keeps a tx whose enqueue resolved when the process is SIGKILLed right after', async () => {
    const { signal } = await runChild('kill-after-first', () => undefined);
    expect(signal).to.equal('SIGKILL');
    const queue = await DurableTxQueue.open({ dir });
    expect(queue.pending()).to.have.length(1);
    expect(queue.pending()[0].id).to.match(/^tx-\d+-0$/);
    expect(Buffer.from(queue.pending()[0].blob)).to.deep.equal(Buffer.alloc(200, 0));
    await queue.close();
  });

  it('keeps every acknowledged tx when killed at an arbitrary moment mid-stream', async () => {
    const { signal, lines } = await runChild('loop', (_line, kill) => {
      if (Math.random() < 0.05) kill();
    });
    expect(signal).to.equal('SIGKILL');
    const queue = await DurableTxQueue.open({ dir });
    const ids = queue.pending().map((t) => t.id);
    expect(lines.length).to.be.greaterThan(0);
    for (const acked of lines) expect(ids).to.include(acked);
    // At most the one enqueue in progress at the kill may be there without an ack.
    expect(ids.length - lines.length).to.be.within(0, 1);
    await queue.close();
  });
});
