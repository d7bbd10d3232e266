import type { ServerResponse } from 'node:http';

/**
 * A client that stops reading is cut off after this long without the socket draining: it can
 * make us hold at most the socket's buffer and one chunk, for this long.
 */
export const SLOW_READER_TIMEOUT_MS = 10_000;

/**
 * Writes `chunks` (JSON text, generated lazily) with HTTP chunked encoding, producing the next
 * chunk only once the previous one was taken by the socket (`write()` returning false waits
 * for 'drain'), so a large answer is never built or buffered whole. Resolves true when all was
 * written, false when the client went away or was cut off for not reading.
 */
export async function writeStreamed(response: ServerResponse, status: number, chunks: Iterable<string>, timeoutMs = SLOW_READER_TIMEOUT_MS): Promise<boolean> {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  for (const chunk of chunks) {
    if (response.destroyed) return false;
    if (!response.write(chunk) && !(await drained(response, timeoutMs))) {
      response.destroy();
      return false;
    }
  }
  response.end();
  return true;
}

function drained(response: ServerResponse, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(ok);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    response.once('drain', onDrain);
    response.once('close', onClose);
  });
}

/**
 * `base` as a JSON object with one more field, the array `key` of `items`, as text chunks: one
 * per item, so the array is never held as one string. Items stop being added once the text
 * would pass `maxBytes` (the array is then shorter; the JSON stays valid).
 */
export function* jsonObjectWithArray(base: object, key: string, items: Iterable<unknown>, maxBytes = Infinity): Generator<string> {
  const head = JSON.stringify(base);
  let text = `${head.length > 2 ? `${head.slice(0, -1)},` : '{'}${JSON.stringify(key)}:[`;
  let bytes = text.length;
  let first = true;
  for (const item of items) {
    const json = JSON.stringify(item);
    if (bytes + json.length + 3 > maxBytes) break;
    text += first ? json : `,${json}`;
    bytes += json.length + 1;
    first = false;
    yield text;
    text = '';
  }
  yield `${text}]}`;
}
