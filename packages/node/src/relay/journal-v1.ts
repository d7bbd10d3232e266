import { crc32 } from 'node:zlib';
import type { DamagedRegion } from './journal-record';
import type { RelayTx } from '../routing/types';

/** First bytes of a format-1 journal (builds before the record sync marker). */
export const JOURNAL_V1_MAGIC = Buffer.from('VNTXQ\x00\x01\n', 'latin1');

/** Each v1 record: u32 body length, u32 CRC-32 of the body, body (u8 type, payload). */
const RECORD_HEADER = 8;
const MAX_RECORD_BODY = 8 * 1024 * 1024;
const ENQUEUE = 1;
const DELIVERED = 2;

export type JournalV1Record = { readonly type: 'enqueue'; readonly tx: RelayTx } | { readonly type: 'delivered'; readonly id: string };

export interface ParsedJournalV1 {
  readonly records: JournalV1Record[];
  readonly damaged: DamagedRegion[];
  readonly tornTailBytes: number;
}

function decodeBody(body: Buffer): JournalV1Record | undefined {
  if (body[0] === DELIVERED) return { type: 'delivered', id: body.subarray(1).toString('utf8') };
  const idLength = body[1];
  if (body[0] !== ENQUEUE || idLength === undefined || body.length < 2 + idLength) return undefined;
  return { type: 'enqueue', tx: { id: body.subarray(2, 2 + idLength).toString('utf8'), blob: new Uint8Array(body.subarray(2 + idLength)) } };
}

/**
 * Reads a v1 journal so an upgraded node keeps its queued txs. v1 has no sync marker: past an
 * impossible length nothing can be found again, so the rest counts as damaged (the caller keeps
 * the file aside), unless nothing follows the bad record (a torn write from a crash).
 */
export function parseJournalV1(data: Buffer): ParsedJournalV1 {
  const records: JournalV1Record[] = [];
  const damaged: DamagedRegion[] = [];
  let offset = JOURNAL_V1_MAGIC.length;
  while (offset < data.length) {
    const rest = data.length - offset;
    if (rest < RECORD_HEADER) return { records, damaged, tornTailBytes: rest };
    const length = data.readUInt32LE(offset);
    const end = offset + RECORD_HEADER + length;
    if (length === 0 || length > MAX_RECORD_BODY) {
      damaged.push({ offset, length: rest });
      return { records, damaged, tornTailBytes: 0 };
    }
    if (end > data.length) return { records, damaged, tornTailBytes: rest };
    const body = data.subarray(offset + RECORD_HEADER, end);
    const record = crc32(body) === data.readUInt32LE(offset + 4) ? decodeBody(body) : undefined;
    if (record !== undefined) records.push(record);
    else if (end === data.length) return { records, damaged, tornTailBytes: end - offset };
    else damaged.push({ offset, length: end - offset });
    offset = end;
  }
  return { records, damaged, tornTailBytes: 0 };
}
