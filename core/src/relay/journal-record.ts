import { crc32 } from 'node:zlib';
import type { RelayTx } from './types';

/** First bytes of a journal file: name, format version 1. */
export const JOURNAL_MAGIC = Buffer.from('VNTXQ\x00\x01\n', 'latin1');

/** Each record: u32 body length, u32 CRC-32 of the body, body (u8 type, payload). */
const RECORD_HEADER = 8;
/** Larger than any Monero tx (monerod caps tx blobs near 1 MB); a bigger length is garbage. */
export const MAX_RECORD_BODY = 8 * 1024 * 1024;

const ENQUEUE = 1;
const DELIVERED = 2;

export type JournalRecord = { readonly type: 'enqueue'; readonly tx: RelayTx } | { readonly type: 'delivered'; readonly id: string };

/** Something replay had to skip or cut, for a log line. */
export interface JournalProblem {
  readonly offset: number;
  readonly reason: string;
}

export interface ParsedJournal {
  readonly records: JournalRecord[];
  /** Bytes that form whole records; anything after is a torn tail to truncate. */
  readonly validLength: number;
  readonly problems: JournalProblem[];
}

export function encodeRecord(record: JournalRecord): Buffer {
  let body: Buffer;
  if (record.type === 'enqueue') {
    const id = Buffer.from(record.tx.id, 'utf8');
    body = Buffer.concat([Buffer.from([ENQUEUE, id.length]), id, record.tx.blob]);
  } else {
    body = Buffer.concat([Buffer.from([DELIVERED]), Buffer.from(record.id, 'utf8')]);
  }
  const header = Buffer.alloc(RECORD_HEADER);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([header, body]);
}

function decodeBody(body: Buffer): JournalRecord | string {
  const type = body[0];
  if (type === ENQUEUE) {
    const idLength = body[1];
    if (idLength === undefined || body.length < 2 + idLength) return 'enqueue record shorter than its id';
    const id = body.subarray(2, 2 + idLength).toString('utf8');
    return { type: 'enqueue', tx: { id, blob: new Uint8Array(body.subarray(2 + idLength)) } };
  }
  if (type === DELIVERED) return { type: 'delivered', id: body.subarray(1).toString('utf8') };
  return `unknown record type ${type}`;
}

/**
 * Reads every intact record after the magic. A record cut short at the end of the file, or the
 * last record with a bad checksum, is a torn write from a crash: it ends the valid part. A bad
 * checksum in the middle (framing still intact) skips only that record, so one damaged record
 * never poisons the ones around it. An impossible length ends parsing: framing is lost there.
 */
export function parseJournal(data: Buffer): ParsedJournal {
  const records: JournalRecord[] = [];
  const problems: JournalProblem[] = [];
  let offset = JOURNAL_MAGIC.length;
  while (offset < data.length) {
    if (data.length - offset < RECORD_HEADER) {
      problems.push({ offset, reason: 'torn record header at end of journal' });
      break;
    }
    const length = data.readUInt32LE(offset);
    if (length === 0 || length > MAX_RECORD_BODY) {
      problems.push({ offset, reason: `impossible record length ${length}` });
      break;
    }
    const end = offset + RECORD_HEADER + length;
    if (end > data.length) {
      problems.push({ offset, reason: 'torn record at end of journal' });
      break;
    }
    const body = data.subarray(offset + RECORD_HEADER, end);
    if (crc32(body) !== data.readUInt32LE(offset + 4)) {
      if (end === data.length) {
        problems.push({ offset, reason: 'torn record (checksum mismatch) at end of journal' });
        break;
      }
      problems.push({ offset, reason: 'checksum mismatch, record skipped' });
      offset = end;
      continue;
    }
    const record = decodeBody(body);
    if (typeof record === 'string') problems.push({ offset, reason: `${record}, record skipped` });
    else records.push(record);
    offset = end;
  }
  return { records, validLength: Math.min(offset, data.length), problems };
}
