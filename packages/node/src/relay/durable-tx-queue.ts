import * as path from 'node:path';
import type { Logger } from '@veilnode/plugin-api';
import { NODE_JOURNAL_FS, type JournalFile, type JournalFileSystem } from './journal-file-system';
import { JOURNAL_MAGIC, MAX_RECORD_BODY, encodeRecord, enqueueRecordSize, parseJournal, type DamagedRegion, type JournalRecord } from './journal-record';
import { JOURNAL_V1_MAGIC, parseJournalV1 } from './journal-v1';
import { JournalError } from './relay-errors';
import { MAX_REJECTED_TXS, type LocalTxStore, type QueuedTx, type RejectedTx } from './local-tx-store';
import type { RelayTx } from '../routing/types';

export const DEFAULT_JOURNAL_FILE = 'local-txs.journal';
/** Txs that may wait at once: far more than a wallet sends, few enough to replay in a moment. */
export const DEFAULT_MAX_WAITING_TXS = 1000;
export const DEFAULT_MAX_WAITING_BYTES = 16 * 1024 * 1024;
/** The journal is rewritten once it grew by its size after the last rewrite, or by this if larger. */
export const DEFAULT_COMPACT_FLOOR_BYTES = 1024 * 1024;
/** Copies of damaged journals kept beside it (`<file>.damaged-<n>`); the oldest is replaced. */
export const MAX_DAMAGED_COPIES = 4;
/** Every file that names our txs is readable by its owner only. */
const FILE_MODE = 0o600;
/** A rejected record: header, type, time, id, reason. */
const MAX_REJECTED_RECORD = 12 + 1 + 8 + 1 + 255 + 4 * 200;

export interface DurableTxQueueOptions {
  /** The data dir; created if missing. */
  readonly dir: string;
  readonly fileName?: string;
  readonly logger?: Logger;
  /** Where the files live; a test passes one that simulates power loss. */
  readonly fileSystem?: JournalFileSystem;
  readonly maxWaitingTxs?: number;
  /** Sum of the waiting txs' blob sizes. */
  readonly maxWaitingBytes?: number;
  readonly compactFloorBytes?: number;
  /** Wall clock (ms): the queue time of txs read from a v1 journal, which did not record it. */
  readonly now?: () => number;
}

/** What opening the journal found unreadable, for the node's status. */
export interface JournalRecovery {
  /** Unreadable stretches with intact records after them: each lost at least one record. */
  readonly damagedRecords: number;
  /** Bytes in those stretches (and past the size limit, if the file exceeded it). */
  readonly unreadableBytes: number;
  /** Where the damaged file was kept, or null when nothing was damaged. */
  readonly movedAsideTo: string | null;
}

interface Limits {
  readonly maxWaitingTxs: number;
  readonly maxWaitingBytes: number;
  readonly compactFloorBytes: number;
}

/** What the journal can hold when full: the waiting txs and the rejected list. */
function liveBound(limits: Limits): number {
  return JOURNAL_MAGIC.length + limits.maxWaitingBytes + limits.maxWaitingTxs * enqueueRecordSize('x'.repeat(255), 0) + MAX_REJECTED_TXS * MAX_REJECTED_RECORD;
}

/**
 * The largest journal a node with these limits writes: compaction keeps it under twice its live
 * content (or twice the floor), plus the one record that crossed the line.
 */
export function maxJournalBytes(limits: Limits): number {
  return 2 * Math.max(liveBound(limits), limits.compactFloorBytes) + MAX_RECORD_BODY;
}

/** Empty, or a cut magic: a crash while an older build created the file; it held no record. */
function neverHeldARecord(data: Buffer): boolean {
  if (data.length >= JOURNAL_MAGIC.length) return false;
  return JOURNAL_MAGIC.subarray(0, data.length).equals(data) || JOURNAL_V1_MAGIC.subarray(0, data.length).equals(data) || data.every((b) => b === 0);
}

/** A record of either format: a format-1 enqueue has no queue time. */
type ReplayRecord = JournalRecord | { readonly type: 'enqueue'; readonly tx: RelayTx; readonly queuedAt?: undefined };

/**
 * An fsync'd journal of locally submitted txs: each state change resolves only once its record
 * is on disk, so a tx the RPC acknowledged survives a crash or a power loss. Records carry a
 * sync marker and a checksum: opening resynchronises past damage, keeps every intact record,
 * keeps the damaged file aside (`<file>.damaged-<n>`) and writes a fresh journal atomically
 * (temp file, fsync, rename, fsync of the directory), as it does for creation and compaction.
 */
export class DurableTxQueue implements LocalTxStore {
  private readonly waiting = new Map<string, QueuedTx>();
  private waitingBytes = 0;
  private readonly refused: RejectedTx[] = [];
  private handle: JournalFile | undefined;
  private size = 0;
  /** Size right after the last rewrite: growth past it (or the floor) triggers the next one. */
  private base = 0;
  /** A rename whose directory entry may not be durable yet: appends wait until it is. */
  private directoryDirty = false;
  private found: JournalRecovery = { damagedRecords: 0, unreadableBytes: 0, movedAsideTo: null };
  private writes: Promise<void> = Promise.resolve();
  private readonly dir: string;
  private readonly temp: string;

  private constructor(
    private readonly file: string,
    private readonly fs: JournalFileSystem,
    private readonly limits: Limits,
    private readonly logger: Logger | undefined,
  ) {
    this.dir = path.dirname(file);
    this.temp = `${file}.tmp`;
  }

  static async open(options: DurableTxQueueOptions): Promise<DurableTxQueue> {
    const file = path.join(options.dir, options.fileName ?? DEFAULT_JOURNAL_FILE);
    const limits: Limits = {
      maxWaitingTxs: options.maxWaitingTxs ?? DEFAULT_MAX_WAITING_TXS,
      maxWaitingBytes: options.maxWaitingBytes ?? DEFAULT_MAX_WAITING_BYTES,
      compactFloorBytes: options.compactFloorBytes ?? DEFAULT_COMPACT_FLOOR_BYTES,
    };
    const queue = new DurableTxQueue(file, options.fileSystem ?? NODE_JOURNAL_FS, limits, options.logger);
    try {
      await queue.load(options.now ?? Date.now);
    } catch (cause) {
      await queue.handle?.close().catch(() => undefined);
      if (cause instanceof JournalError) throw cause;
      throw new JournalError('JOURNAL_IO', `cannot open local-tx journal ${file}: ${(cause as Error).message}`, { file }, { cause });
    }
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

  /** What opening found damaged (all zero when nothing was). */
  recovery(): JournalRecovery {
    return this.found;
  }

  /**
   * Resolves once the tx is on disk. A tx already waiting is written (and fsync'd) again, whole,
   * as a dead record: a submission then costs the same time whether the tx was known or not, so
   * an RPC client cannot time which txs this node holds. Dead records count towards compaction
   * exactly as live ones do, so the rewrite falls on a known and a new tx alike. A full queue
   * refuses every tx, known or not, for the same reason.
   */
  enqueue(tx: RelayTx, now: number): Promise<void> {
    return this.serialise(async () => {
      if (Buffer.byteLength(tx.id, 'utf8') > 255 || enqueueRecordSize(tx.id, tx.blob.length) > MAX_RECORD_BODY) {
        throw new JournalError('JOURNAL_TX_TOO_LARGE', `tx of ${tx.blob.length} bytes does not fit a journal record`, { file: this.file, bytes: tx.blob.length });
      }
      if (this.waiting.size >= this.limits.maxWaitingTxs || this.waitingBytes + tx.blob.length > this.limits.maxWaitingBytes) {
        throw new JournalError('JOURNAL_FULL', `local-tx queue is full (${this.waiting.size} txs, ${this.waitingBytes} bytes wait for delivery)`, {
          file: this.file,
          waiting: this.waiting.size,
          waitingBytes: this.waitingBytes,
        });
      }
      const known = this.waiting.get(tx.id);
      const queuedAt = known?.queuedAt ?? now;
      await this.commit([{ type: 'enqueue', tx, queuedAt }], () => {
        if (known !== undefined) return;
        this.waiting.set(tx.id, { id: tx.id, blob: tx.blob, queuedAt });
        this.waitingBytes += tx.blob.length;
      });
    });
  }

  markDelivered(id: string): Promise<void> {
    return this.serialise(async () => {
      if (this.waiting.has(id)) await this.commit([{ type: 'delivered', id }], () => this.remove(id));
    });
  }

  markRejected(id: string, reason: string, now: number): Promise<void> {
    return this.serialise(async () => {
      if (!this.waiting.has(id)) return;
      await this.commit([{ type: 'rejected', id, reason, at: now }], () => {
        this.remove(id);
        this.addRejected({ id, reason, at: now });
      });
    });
  }

  drop(ids?: readonly string[]): Promise<string[]> {
    let dropped: string[] = [];
    return this.serialise(async () => {
      dropped = [...new Set(ids ?? this.waiting.keys())].filter((id) => this.waiting.has(id));
      if (dropped.length === 0) return;
      await this.commit(
        dropped.map((id) => ({ type: 'dropped', id })),
        () => dropped.forEach((id) => this.remove(id)),
      );
    }).then(() => dropped);
  }

  close(): Promise<void> {
    return this.serialise(async () => {
      const handle = this.handle;
      this.handle = undefined;
      await handle?.close();
    });
  }

  private async load(now: () => number): Promise<void> {
    await this.fs.mkdir(this.dir);
    await this.fs.unlink(this.temp); // a rewrite a crash interrupted: the journal itself is whole
    const stat = await this.fs.stat(this.file);
    if (stat === undefined) {
      await this.rewrite();
      this.logger?.info({ file: this.file }, 'local-tx journal created');
      return;
    }
    if ((stat.mode & 0o077) !== 0) {
      await this.fs.chmod(this.file, FILE_MODE);
      this.logger?.info({ file: this.file, mode: stat.mode.toString(8) }, 'local-tx journal was readable by others: mode set to 600');
    }
    const limit = maxJournalBytes(this.limits);
    const reader = await this.fs.openExisting(this.file);
    if (reader === undefined) throw new JournalError('JOURNAL_IO', `local-tx journal ${this.file} vanished while opening`, { file: this.file });
    let data: Buffer;
    try {
      data = await reader.read(Math.min(stat.size, limit), 0);
    } catch (cause) {
      await reader.close().catch(() => undefined);
      throw cause;
    }
    if (neverHeldARecord(data)) {
      await reader.close();
      await this.rewrite();
      this.logger?.info({ file: this.file, bytes: data.length }, 'local-tx journal held no record (its creation was interrupted): created afresh');
      return;
    }
    const magic = data.subarray(0, JOURNAL_MAGIC.length);
    const v1 = magic.equals(JOURNAL_V1_MAGIC);
    if (!v1 && !magic.equals(JOURNAL_MAGIC)) {
      await reader.close();
      throw new JournalError('JOURNAL_BAD_MAGIC', `${this.file} is not a veilnode local-tx journal (bad magic); refusing to overwrite it`, { file: this.file });
    }
    const parsed: { records: readonly ReplayRecord[]; damaged: DamagedRegion[]; tornTailBytes: number } = v1 ? parseJournalV1(data) : parseJournal(data);
    this.replay(parsed.records, now());
    const damaged = [...parsed.damaged];
    let torn = parsed.tornTailBytes;
    if (stat.size > data.length) {
      // Past the size this build ever writes: unread, so kept aside like damage.
      const last = damaged.at(-1);
      if (torn === 0 && last !== undefined && last.offset + last.length === data.length) damaged[damaged.length - 1] = { offset: last.offset, length: stat.size - last.offset };
      else damaged.push({ offset: data.length - torn, length: stat.size - data.length + torn });
      torn = 0;
    }
    if (damaged.length === 0 && torn === 0 && !v1) {
      this.handle = reader;
      this.size = this.base = data.length;
      // A killed process's last records may sit in the page cache only, and this process acts on
      // them (a tx read as delivered is not marked again): they are made durable first. A process
      // killed right after a rewrite's rename may likewise have left its name in the cache only.
      await reader.sync();
      await this.syncDirectory();
    } else {
      await reader.close();
      const movedAsideTo = damaged.length > 0 ? await this.keepDamagedCopy() : null;
      await this.rewrite();
      this.found = { damagedRecords: damaged.length, unreadableBytes: damaged.reduce((sum, d) => sum + d.length, 0), movedAsideTo };
      if (damaged.length > 0) {
        this.logger?.warn(
          { file: this.file, ...this.found, offsets: damaged.slice(0, 8).map((d) => d.offset), keptRecords: parsed.records.length, waiting: this.waiting.size },
          'local-tx journal damaged: kept every intact record, moved the damaged file aside and wrote a fresh journal',
        );
      }
      if (torn > 0) this.logger?.info({ file: this.file, bytes: torn }, 'local-tx journal: dropped a record torn by a crash');
      if (v1) this.logger?.info({ file: this.file }, 'local-tx journal upgraded from format 1');
    }
    this.logger?.info({ file: this.file, waiting: this.waiting.size, rejected: this.refused.length }, 'local-tx journal replayed');
  }

  private replay(records: readonly ReplayRecord[], now: number): void {
    for (const record of records) {
      if (record.type === 'enqueue') {
        if (this.waiting.has(record.tx.id)) continue;
        this.waiting.set(record.tx.id, { id: record.tx.id, blob: record.tx.blob, queuedAt: record.queuedAt ?? now });
        this.waitingBytes += record.tx.blob.length;
      } else {
        this.remove(record.id);
        if (record.type === 'rejected') this.addRejected({ id: record.id, reason: record.reason, at: record.at });
      }
    }
  }

  private remove(id: string): void {
    const tx = this.waiting.get(id);
    if (tx === undefined) return;
    this.waiting.delete(id);
    this.waitingBytes -= tx.blob.length;
  }

  private addRejected(entry: RejectedTx): void {
    const earlier = this.refused.findIndex((r) => r.id === entry.id);
    if (earlier !== -1) this.refused.splice(earlier, 1);
    this.refused.push(entry);
    if (this.refused.length > MAX_REJECTED_TXS) this.refused.shift();
  }

  private serialise(job: () => Promise<void>): Promise<void> {
    const run = this.writes.then(job);
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** Appends and fsyncs the records, then applies them; compacts when due. Runs inside `serialise`. */
  private async commit(records: JournalRecord[], apply: () => void): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) throw new JournalError('JOURNAL_CLOSED', `local-tx journal ${this.file} is closed`, { file: this.file });
    const bytes = Buffer.concat(records.map(encodeRecord));
    try {
      if (this.directoryDirty) await this.syncDirectory();
      await handle.write(bytes, this.size);
      await handle.sync();
    } catch (cause) {
      // Cut a possibly half-written record so the next append starts on a record boundary.
      await handle.truncate(this.size).catch(() => undefined);
      throw new JournalError('JOURNAL_IO', `cannot append to local-tx journal ${this.file}: ${(cause as Error).message}`, { file: this.file }, { cause });
    }
    this.size += bytes.length;
    apply();
    // Once no tx waits, no blob of ours stays on disk.
    const due = this.size - this.base > Math.max(this.base, this.limits.compactFloorBytes) || (this.waiting.size === 0 && records[0].type !== 'enqueue');
    if (!due) return;
    try {
      await this.rewrite();
    } catch (cause) {
      // The record is durable in the journal that was live before: compaction is an optimisation.
      this.logger?.warn({ file: this.file, err: (cause as Error).message }, 'local-tx journal compaction failed');
    }
  }

  /** Replaces the journal with one holding exactly the current state, atomically. */
  private async rewrite(): Promise<void> {
    const content = Buffer.concat([
      JOURNAL_MAGIC,
      ...this.refused.map((r) => encodeRecord({ type: 'rejected', ...r })),
      ...[...this.waiting.values()].map(({ queuedAt, ...tx }) => encodeRecord({ type: 'enqueue', tx, queuedAt })),
    ]);
    const out = await this.fs.create(this.temp, FILE_MODE);
    try {
      await out.write(content, 0);
      await out.sync();
      await this.fs.rename(this.temp, this.file);
    } catch (cause) {
      await out.close().catch(() => undefined);
      await this.fs.unlink(this.temp).catch(() => undefined);
      throw cause;
    }
    // The renamed file is the journal now: appends go to it (the handle follows the inode).
    const previous = this.handle;
    this.handle = out;
    this.size = this.base = content.length;
    this.directoryDirty = true;
    await previous?.close().catch(() => undefined);
    await this.syncDirectory();
  }

  private async syncDirectory(): Promise<void> {
    await this.fs.syncDirectory(this.dir);
    this.directoryDirty = false;
  }

  /** Gives the damaged journal a second name so the rewrite cannot lose its unread bytes. */
  private async keepDamagedCopy(): Promise<string> {
    const names = Array.from({ length: MAX_DAMAGED_COPIES }, (_, i) => `${this.file}.damaged-${i + 1}`);
    const stats = await Promise.all(names.map((name) => this.fs.stat(name)));
    let slot = stats.findIndex((s) => s === undefined);
    if (slot === -1) {
      slot = stats.reduce((oldest, s, i) => ((s?.mtimeMs ?? 0) < (stats[oldest]?.mtimeMs ?? 0) ? i : oldest), 0);
      await this.fs.unlink(names[slot]);
    }
    await this.fs.link(this.file, names[slot]);
    await this.fs.syncDirectory(this.dir);
    return names[slot];
  }
}
