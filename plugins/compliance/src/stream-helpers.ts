import type { Duplex, Readable, Writable } from 'node:stream';

/**
 * Small promise helpers over Node streams, each with a deadline so a broken transport fails a
 * test with a message instead of hanging it.
 */

/** Resolves once the stream has emitted 'close' (at once if it already has). */
export function waitForClose(stream: Duplex, timeoutMs: number, what = 'stream'): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not emit 'close' within ${timeoutMs} ms`)), timeoutMs);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Reads exactly `length` bytes (leaving the rest unread), or fails on end/error/timeout. */
export function readExactly(stream: Readable, length: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (received < length && (chunk = stream.read() as Buffer | null) !== null) {
        const needed = length - received;
        if (chunk.length > needed) {
          stream.unshift(chunk.subarray(needed));
          chunk = chunk.subarray(0, needed);
        }
        chunks.push(chunk);
        received += chunk.length;
      }
      if (received === length) {
        cleanup();
        resolve(Buffer.concat(chunks));
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`stream ended after ${received} of ${length} expected bytes`));
    };
    const onError = (err: unknown): void => {
      cleanup();
      reject(err);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`read ${received} of ${length} bytes within ${timeoutMs} ms`));
    }, timeoutMs);
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
    onReadable();
  });
}

/** Reads until 'end' and returns everything; fails on error or timeout. */
export function readToEnd(stream: Readable, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: unknown): void => {
      cleanup();
      reject(err);
    };
    const timer = setTimeout(() => {
      cleanup();
      const got = chunks.reduce((n, c) => n + c.length, 0);
      reject(new Error(`no 'end' within ${timeoutMs} ms (read ${got} bytes)`));
    }, timeoutMs);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/**
 * Writes `data` in `chunkSize` pieces the way a well-behaved producer must: after write()
 * returns false it waits for 'drain' before writing more. `onStall` is told when a 'drain' has
 * not come for `stallMs` (the peer stopped reading); the writer keeps waiting after that.
 */
export async function writeRespectingBackpressure(
  stream: Writable,
  data: Buffer,
  chunkSize: number,
  options: { stallMs?: number; onStall?: (bytesAccepted: number) => void } = {},
): Promise<void> {
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    const end = Math.min(offset + chunkSize, data.length);
    if (!stream.write(data.subarray(offset, end))) await waitForDrain(stream, end, options);
  }
}

function waitForDrain(
  stream: Writable,
  bytesAccepted: number,
  options: { stallMs?: number; onStall?: (bytesAccepted: number) => void },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const stallTimer = options.onStall
      ? setTimeout(() => options.onStall?.(bytesAccepted), options.stallMs ?? 500)
      : undefined;
    const cleanup = (): void => {
      clearTimeout(stallTimer);
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onError);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error(`stream closed while waiting for 'drain' after ${bytesAccepted} bytes`));
    };
    const onError = (err: unknown): void => {
      cleanup();
      reject(err);
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onError);
  });
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
