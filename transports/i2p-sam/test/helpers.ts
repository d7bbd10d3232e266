import type { Duplex } from 'node:stream';
import type { Logger } from '@veilnode/core';

/** A Logger that keeps every line, so tests can assert on what was (not) logged. */
export class CapturingLogger implements Logger {
  constructor(readonly lines: string[] = [], private readonly bindings: Record<string, unknown> = {}) {}
  trace(obj: object, msg?: string): void { this.add('trace', obj, msg); }
  debug(obj: object, msg?: string): void { this.add('debug', obj, msg); }
  info(obj: object, msg?: string): void { this.add('info', obj, msg); }
  warn(obj: object, msg?: string): void { this.add('warn', obj, msg); }
  error(obj: object, msg?: string): void { this.add('error', obj, msg); }
  child(bindings: Record<string, unknown>): Logger { return new CapturingLogger(this.lines, { ...this.bindings, ...bindings }); }
  private add(level: string, obj: object, msg?: string): void {
    this.lines.push(JSON.stringify({ level, ...this.bindings, ...obj, msg }));
  }
}

export function readBytes(stream: Duplex, length: number, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error(`read ${got.length}/${length} bytes`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= length) done();
    };
    const done = (error?: Error) => {
      clearTimeout(timer);
      stream.off('data', onData);
      if (error) reject(error);
      else resolve(got);
    };
    stream.on('data', onData);
  });
}

export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
