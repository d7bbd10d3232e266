import type { ServerResponse } from 'node:http';

/**
 * JSON text for RPC answers with bigint values written as exact integers. monerod writes u64
 * fields (peer ids, free_space) with every digit; JSON.stringify cannot take a bigint and a
 * Number would round anything above 2^53. Everything else follows JSON.stringify: undefined
 * members are left out (in arrays: null), non-finite numbers become null, toJSON is honoured.
 */
export function writeJson(value: unknown): string {
  return write(value, true) ?? 'null';
}

function write(value: unknown, inObject: boolean): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return write((value as { toJSON(): unknown }).toJSON(), inObject);
  }
  if (Array.isArray(value)) return `[${value.map((item) => write(item, false) ?? 'null').join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      const text = write(item, true);
      if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Ends `response` with `status` and `body` as JSON (writeJson), its length given. */
export function endWithJson(response: ServerResponse, status: number, body: unknown): void {
  const text = writeJson(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}
