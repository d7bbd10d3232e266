import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../api/logger';
import { JournalError } from './relay-errors';
import { JOURNAL_MAGIC, encodeRecord, parseJournal, type JournalRecord } from './journal-record';
import { MAX_REJECTED_TXS, type LocalTxStore, type QueuedTx, type RejectedTx } from './local-tx-store';
import type { RelayTx } from './types';

export const DEFAULT_JOURNAL_FILE = 'local-txs.journal';

export interface DurableTxQueueOptions {
  /** The data dir; created if missing. */
  readonly dir: string;
  readonly fileName?: string;
  readonly logger?: Logger;
  /** Rewrite the journal once this many delivered records are dead weight (always when empty). */
  readonly compactAfter?: number;
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * An fsync'd append-only journal of locally submitted txs. `enqueue` resolves only after the
 * record is on disk (and, for a new journal, after its directory entry is), so a tx the RPC
 * acknowledged survives a crash. Replay on open drops a torn last record with a log line and
 * truncates it away; delivered txs are compacted out by rewriting the journal atomically
 * (write temp, fsync, rename, fsync directory).
 */
export class DurableTxQueue implements LocalTxStore {
  private readonly waiting = new Map<string, QueuedTx>();
  // Not yet journaled: kept for this process only (the journal format gains a record for it next).
  private readonly refused: RejectedTx[] = [];
  private deadRecords = 0;
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private handle: fs.FileHandle,
    private size: number,
    private readonly compactAfter: number,
    private readonly logger: Logger | undefined,
  ) {}

  static async open(options: DurableTxQueueOptions): Promise<DurableTxQueue> {
    const file = path.join(options.dir, options.fileName ?? DEFAULT_JOURNAL_FILE);
    const fail = (what: string, cause: unknown) =>
      new JournalError('JOURNAL_IO', `cannot ${what} local-tx journal ${file}: ${(cause as Error).message}`, { file }, { cause });
    try {
      await fs.mkdir(options.dir, { recursive: true });
    } catch (cause) {
      throw fail('create the directory of the', cause);
    }
    let data: Buffer | undefined;
    try {
      data = await fs.readFile(file);
    } catch (cause) {
      if (!isMissing(cause)) throw fail('read', cause);
    }
    const compactAfter = options.compactAfter ?? 64;
    if (data === undefined) {
      try {
        const handle = await fs.open(file, 'wx+');
        await handle.write(JOURNAL_MAGIC, 0, JOURNAL_MAGIC.length, 0);
        await handle.sync();
        await fsyncDirectory(options.dir);
        return new DurableTxQueue(file, handle, JOURNAL_MAGIC.length, compactAfter, options.logger);
      } catch (cause) {
        throw fail('create', cause);
      }
    }
    if (data.length < JOURNAL_MAGIC.length || !data.subarray(0, JOURNAL_MAGIC.length).equals(JOURNAL_MAGIC)) {
      throw new JournalError('JOURNAL_BAD_MAGIC', `${file} is not a veilnode local-tx journal (bad magic); refusing to overwrite it`, { file });
    }
    const parsed = parseJournal(data);
    for (const problem of parsed.problems) options.logger?.warn({ file, ...problem }, 'local-tx journal: damaged record dropped');
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r+');
      if (parsed.validLength < data.length) {
        await handle.truncate(parsed.validLength);
        await handle.sync();
      }
    } catch (cause) {
      throw fail('open', cause);
    }
    const queue = new DurableTxQueue(file, handle, parsed.validLength, compactAfter, options.logger);
    queue.replay(parsed.records);
    options.logger?.info({ file, waiting: queue.waiting.size }, 'local-tx journal replayed');
    return queue;
  }

  pending(): QueuedTx[] {
    return [...this.waiting.values()];
  }

  rejected(): RejectedTx[] {
    return [...this.refused];
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  /**
   * Resolves once the tx is on disk. A tx already waiting is written (and fsync'd) again, as a
   * dead record: a submission then costs the same time whether the tx was known or not, so an
   * RPC client cannot time which txs this node holds.
   */
  enqueue(tx: RelayTx, now: number): Promise<void> {
    return this.serialise(async () => {
      await this.append({ type: 'enqueue', tx });
      const known = this.waiting.get(tx.id);
      if (known) this.deadRecords++;
      else this.waiting.set(tx.id, { id: tx.id, blob: tx.blob, queuedAt: now });
    });
  }

  markDelivered(id: string): Promise<void> {
    return this.serialise(async () => {
      await this.remove(id);
    });
  }

  markRejected(id: string, reason: string, now: number): Promise<void> {
    return this.serialise(async () => {
      if (!(await this.remove(id))) return;
      this.refused.push({ id, reason, at: now });
      if (this.refused.length > MAX_REJECTED_TXS) this.refused.shift();
    });
  }

  drop(ids?: readonly string[]): Promise<string[]> {
    const dropped: string[] = [];
    return this.serialise(async () => {
      for (const id of ids ?? [...this.waiting.keys()]) if (await this.remove(id)) dropped.push(id);
    }).then(() => dropped);
  }

  close(): Promise<void> {
    return this.serialise(() => this.handle.close());
  }

  /** Journals that `id` no longer waits; false when it did not. Runs inside `serialise`. */
  private async remove(id: string): Promise<boolean> {
    if (!this.waiting.has(id)) return false;
    await this.append({ type: 'delivered', id });
    this.waiting.delete(id);
    this.deadRecords += 2;
    if (this.waiting.size === 0 || this.deadRecords >= this.compactAfter) await this.compact();
    return true;
  }

  private replay(records: JournalRecord[]): void {
    // The format does not record enqueue times yet: a replayed tx counts from the replay.
    const now = Date.now();
    for (const record of records) {
      if (record.type === 'enqueue') {
        if (this.waiting.has(record.tx.id)) this.deadRecords++;
        else this.waiting.set(record.tx.id, { ...record.tx, queuedAt: now });
      } else if (this.waiting.delete(record.id)) {
        this.deadRecords += 2;
      }
    }
  }

  private serialise(job: () => Promise<void>): Promise<void> {
    const run = this.writes.then(job);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async append(record: JournalRecord): Promise<void> {
    const bytes = encodeRecord(record);
    try {
      await this.handle.write(bytes, 0, bytes.length, this.size);
      await this.handle.sync();
    } catch (cause) {
      // Cut a possibly half-written record so the next append starts on a record boundary.
      await this.handle.truncate(this.size).catch(() => undefined);
      throw new JournalError('JOURNAL_IO', `cannot append to local-tx journal ${this.file}: ${(cause as Error).message}`, { file: this.file }, { cause });
    }
    this.size += bytes.length;
  }

  private async compact(): Promise<void> {
    const temp = `${this.file}.tmp`;
    const content = Buffer.concat([JOURNAL_MAGIC, ...[...this.waiting.values()].map((tx) => encodeRecord({ type: 'enqueue', tx }))]);
    try {
      const out = await fs.open(temp, 'w');
      try {
        await out.write(content, 0, content.length, 0);
        await out.sync();
      } finally {
        await out.close();
      }
      await fs.rename(temp, this.file);
    } catch (cause) {
      // The old journal is still complete: compaction is only an optimisation.
      this.logger?.warn({ file: this.file, err: (cause as Error).message }, 'local-tx journal compaction failed');
      return;
    }
    // From here on the compacted file is the journal: appends must go to it.
    const previous = this.handle;
    try {
      this.handle = await fs.open(this.file, 'r+');
    } catch (cause) {
      throw new JournalError('JOURNAL_IO', `cannot reopen compacted local-tx journal ${this.file}: ${(cause as Error).message}`, { file: this.file }, { cause });
    }
    await previous.close().catch(() => undefined);
    this.size = content.length;
    this.deadRecords = 0;
    await fsyncDirectory(path.dirname(this.file)).catch((cause: Error) =>
      this.logger?.warn({ file: this.file, err: cause.message }, 'local-tx journal: directory fsync after compaction failed'),
    );
  }
}
