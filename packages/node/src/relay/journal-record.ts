import { crc32 } from 'node:zlib';
import type { RelayTx } from '../routing/types';

/** First bytes of a journal file: name, format version 2. */
export const JOURNAL_MAGIC = Buffer.from('VNTXQ\x00\x02\n', 'latin1');

/**
 * Each record: sync marker, u32 body length, u32 CRC-32 of the length field and the body, body
 * (u8 type, payload). The marker lets a reader find the next record after a damaged one: it
 * resumes at the next marker that starts a record whose length and checksum hold.
 */
const SYNC_MARKER = Buffer.from([0xf3, 0x9a, 0x5c, 0x0e]);
const RECORD_HEADER = 12;
/** Larger than any Monero tx (monerod caps tx blobs near 1 MB); a bigger length is garbage. */
export const MAX_RECORD_BODY = 8 * 1024 * 1024;
/** Rejection reasons are cut to this many characters in the journal. */
export const MAX_REASON_LENGTH = 200;

const ENQUEUE = 1;
const DELIVERED = 2;
const REJECTED = 3;
const DROPPED = 4;

export type JournalRecord =
  | { readonly type: 'enqueue'; readonly tx: RelayTx; readonly queuedAt: number }
  | { readonly type: 'delivered' | 'dropped'; readonly id: string }
  | { readonly type: 'rejected'; readonly id: string; readonly reason: string; readonly at: number };

/** A stretch of the file that held no readable record. */
export interface DamagedRegion {
  readonly offset: number;
  readonly length: number;
}

export interface ParsedJournal {
  readonly records: JournalRecord[];
  /** Unreadable stretches followed by intact records: damage, not a crash. */
  readonly damaged: DamagedRegion[];
  /** Bytes after the last intact record that hold none: a write torn by a crash. */
  readonly tornTailBytes: number;
}

function u64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(Math.max(0, Math.trunc(value))));
  return bytes;
}

function idField(id: string): Buffer {
  const bytes = Buffer.from(id, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/** Bytes of the body of an enqueue record for a tx with this id and blob size. */
export function enqueueRecordSize(id: string, blobLength: number): number {
  return RECORD_HEADER + 1 + 8 + 1 + Buffer.byteLength(id, 'utf8') + blobLength;
}

function encodeBody(record: JournalRecord): Buffer {
  switch (record.type) {
    case 'enqueue':
      return Buffer.concat([Buffer.from([ENQUEUE]), u64(record.queuedAt), idField(record.tx.id), record.tx.blob]);
    case 'delivered':
      return Buffer.concat([Buffer.from([DELIVERED]), idField(record.id)]);
    case 'dropped':
      return Buffer.concat([Buffer.from([DROPPED]), idField(record.id)]);
    case 'rejected':
      return Buffer.concat([Buffer.from([REJECTED]), u64(record.at), idField(record.id), Buffer.from(record.reason.slice(0, MAX_REASON_LENGTH), 'utf8')]);
  }
}

export function encodeRecord(record: JournalRecord): Buffer {
  const body = encodeBody(record);
  const header = Buffer.alloc(RECORD_HEADER);
  SYNC_MARKER.copy(header, 0);
  header.writeUInt32LE(body.length, 4);
  header.writeUInt32LE(crc32(body, crc32(header.subarray(4, 8))), 8);
  return Buffer.concat([header, body]);
}

/** Reads a u8-length-prefixed id at `at`; undefined when the body is too short. */
function readId(body: Buffer, at: number): { id: string; end: number } | undefined {
  const length = body[at];
  if (length === undefined || body.length < at + 1 + length) return undefined;
  return { id: body.subarray(at + 1, at + 1 + length).toString('utf8'), end: at + 1 + length };
}

function decodeBody(body: Buffer): JournalRecord | undefined {
  const type = body[0];
  if (type === ENQUEUE || type === REJECTED) {
    if (body.length < 9) return undefined;
    const time = Number(body.readBigUInt64LE(1));
    const id = readId(body, 9);
    if (id === undefined) return undefined;
    if (type === REJECTED) return { type: 'rejected', id: id.id, at: time, reason: body.subarray(id.end).toString('utf8') };
    return { type: 'enqueue', queuedAt: time, tx: { id: id.id, blob: new Uint8Array(body.subarray(id.end)) } };
  }
  if (type === DELIVERED || type === DROPPED) {
    const id = readId(body, 1);
    if (id === undefined || id.end !== body.length) return undefined;
    return { type: type === DELIVERED ? 'delivered' : 'dropped', id: id.id };
  }
  return undefined;
}

/** The record starting at `offset` and where the next one starts, if it is intact. */
function recordAt(data: Buffer, offset: number): { record: JournalRecord; next: number } | undefined {
  if (data.length - offset < RECORD_HEADER || !data.subarray(offset, offset + 4).equals(SYNC_MARKER)) return undefined;
  const length = data.readUInt32LE(offset + 4);
  const next = offset + RECORD_HEADER + length;
  if (length === 0 || length > MAX_RECORD_BODY || next > data.length) return undefined;
  const body = data.subarray(offset + RECORD_HEADER, next);
  if (crc32(body, crc32(data.subarray(offset + 4, offset + 8))) !== data.readUInt32LE(offset + 8)) return undefined;
  const record = decodeBody(body);
  return record === undefined ? undefined : { record, next };
}

/** The first offset after `from` where an intact record starts, or -1. */
function nextIntactRecord(data: Buffer, from: number): number {
  for (let at = data.indexOf(SYNC_MARKER, from); at !== -1; at = data.indexOf(SYNC_MARKER, at + 1)) {
    if (recordAt(data, at) !== undefined) return at;
  }
  return -1;
}

/**
 * Whether the unreadable bytes from `offset` to the end are what a crash leaves: a record whose
 * frame reaches the end of the file (cut short, or whose pages did not all land), a cut header,
 * or zeros (the size grew, the data did not land). Anything else there is damage.
 */
function tornWrite(data: Buffer, offset: number): boolean {
  const rest = data.subarray(offset);
  if (rest.length < RECORD_HEADER || rest.every((b) => b === 0)) return true;
  const length = data.readUInt32LE(offset + 4);
  return rest.subarray(0, 4).equals(SYNC_MARKER) && length > 0 && length <= MAX_RECORD_BODY && RECORD_HEADER + length >= rest.length;
}

/**
 * Reads every intact record after the magic. An unreadable stretch (bad marker, length or
 * checksum) ends at the next intact record, so damage to one record, or to its length field,
 * loses only that record. Unreadable bytes with no intact record after them are a torn tail
 * when they look like a write a crash interrupted, and damage otherwise.
 */
export function parseJournal(data: Buffer): ParsedJournal {
  const records: JournalRecord[] = [];
  const damaged: DamagedRegion[] = [];
  let offset = JOURNAL_MAGIC.length;
  while (offset < data.length) {
    const intact = recordAt(data, offset);
    if (intact !== undefined) {
      records.push(intact.record);
      offset = intact.next;
      continue;
    }
    const resume = nextIntactRecord(data, offset + 1);
    if (resume === -1) {
      if (tornWrite(data, offset)) return { records, damaged, tornTailBytes: data.length - offset };
      damaged.push({ offset, length: data.length - offset });
      break;
    }
    damaged.push({ offset, length: resume - offset });
    offset = resume;
  }
  return { records, damaged, tornTailBytes: 0 };
}
