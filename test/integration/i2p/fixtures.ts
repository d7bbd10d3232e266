import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger } from '@veilnode/core';
import { I2pNetwork, i2pUnavailableReason } from '../../src/harness/i2p';

/** Socks tunnel target and SOCKS-inbound listener port: above the routers' port range. */
export const SERVER_TUNNEL = { router: 1, name: 'veilin', portOffset: 90 } as const;

let network: Promise<I2pNetwork> | undefined;
const tempDirs: string[] = [];

/**
 * One private I2P network for every I2P integration file (bring-up costs ~25 s): started on
 * first use, stopped by the root after() hook below (and by I2pNetwork's exit handler).
 */
export function sharedNetwork(): Promise<I2pNetwork> {
  network ??= (() => {
    const basePort = Number(process.env.I2P_NET_BASE_PORT ?? 17000);
    return I2pNetwork.start({
      basePort,
      serverTunnels: [{ router: SERVER_TUNNEL.router, name: SERVER_TUNNEL.name, port: basePort + SERVER_TUNNEL.portOffset }],
    });
  })();
  return network;
}

after(async function () {
  this.timeout(60_000);
  if (network) await (await network).down().catch(() => undefined);
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Skips the suite with a clear message when the harness cannot run (i2pd missing, no netns). */
export function skipUnlessI2p(suite: Mocha.Context): void {
  const reason = i2pUnavailableReason();
  if (reason) {
    console.log(`      skipped: ${reason}`);
    suite.skip();
  }
}

/** A temp dir removed by the root after() hook. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `veilnode-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** A Logger that keeps every line, so tests can assert what was (not) logged. */
export class CapturingLogger implements Logger {
  constructor(readonly lines: string[] = [], private readonly bindings: Record<string, unknown> = {}) {}
  trace(obj: object, msg?: string): void { this.add('trace', obj, msg); }
  debug(obj: object, msg?: string): void { this.add('debug', obj, msg); }
  info(obj: object, msg?: string): void { this.add('info', obj, msg); }
  warn(obj: object, msg?: string): void { this.add('warn', obj, msg); }
  error(obj: object, msg?: string): void { this.add('error', obj, msg); }
  child(bindings: Record<string, unknown>): Logger {
    return new CapturingLogger(this.lines, { ...this.bindings, ...bindings });
  }
  private add(level: string, obj: object, msg?: string): void {
    const line = JSON.stringify({ level, ...this.bindings, ...obj, msg });
    this.lines.push(line);
    if (process.env.VEILNODE_TEST_LOG) console.log(line);
  }
}

/** Reads until `length` bytes arrived or the stream ends. */
export function readBytes(stream: Duplex, length: number, timeoutMs = 60_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`read ${got.length}/${length} bytes in ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= length) finish();
    };
    const onEnd = () => finish(new Error(`stream ended after ${got.length}/${length} bytes`));
    const finish = (error?: Error) => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', finish);
      if (error) reject(error);
      else resolve(got);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', finish);
  });
}

/** Retries `attempt` until it resolves or `deadlineMs` passes (lease sets take a while to spread). */
export async function retryUntil<T>(deadlineMs: number, attempt: () => Promise<T>, onError?: (e: unknown) => void): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      onError?.(error);
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
