import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, TransportContext, ZoneConfig } from '@veilnode/plugin-api';
import { skipOrFailWithout } from '../../src/harness/daemon-requirement';
import { sharedTorNetwork, torMissingReason, type TorNetwork } from '../../src/harness/tor';

export interface TorFixture {
  readonly net: TorNetwork;
  /** Connections the echo server behind the harness's onion service accepted. */
  readonly echoConnections: number;
}

let fixture: Promise<TorFixture> | undefined;

/** Echo server on the harness onion's target port: what the onion forwards to. */
function startEcho(port: number): Promise<{ server: Server; count: () => number }> {
  let count = 0;
  const server = createServer((socket: Socket) => {
    count++;
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, count: () => count }));
  });
}

/**
 * The shared private Tor network plus the echo server behind its onion. Skips with a clear message when
 * tor is not installed (fails under CI=true). Use in a `before` hook with a long timeout.
 */
export async function torFixture(ctx: Mocha.Context): Promise<TorFixture> {
  skipOrFailWithout(ctx, torMissingReason());
  fixture ??= (async () => {
    const net = await sharedTorNetwork();
    console.log(
      `      private Tor network up in ${net.timings.total.toFixed(1)} s (consensus ${net.timings.consensus} s, client bootstrap ${net.timings.bootstrap} s, onion descriptor ${net.timings.descriptor} s)`,
    );
    const echo = await startEcho(net.hsTargetPort);
    echo.server.unref();
    return {
      net,
      get echoConnections() {
        return echo.count();
      },
    };
  })();
  return fixture;
}

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** A logger that keeps every line as JSON, to assert what was (not) logged. */
export function recordingLogger(lines: string[]): Logger {
  const rec =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push(JSON.stringify({ level, ...obj, msg }));
    };
  const logger: Logger = { trace: rec('trace'), debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error'), child: () => logger };
  return logger;
}

export function zoneConfig(overrides: Partial<ZoneConfig> = {}): ZoneConfig {
  return {
    name: 'tor',
    enabled: true,
    transport: 'tor',
    proxy: null,
    maxOutbound: 12,
    maxInbound: 64,
    noise: true,
    inbound: null,
    peers: [],
    exclusivePeers: [],
    seeds: [],
    ...overrides,
  };
}

const dataDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A TransportContext with a fresh temporary data dir, removed by `cleanup()` or at the latest when
 * the test process exits.
 */
export function transportContext(zone: Partial<ZoneConfig>, pluginConfig: Record<string, unknown> = {}, logger: Logger = silentLogger, dataDir?: string): TransportContext & { cleanup(): void } {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'veilnode-tor-'));
  dataDirs.add(dir);
  return { zone: zoneConfig(zone), pluginConfig, network: 'regtest', dataDir: dir, logger, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `data` and collects the same number of bytes back. */
export function echoRoundTrip(stream: Duplex, data: Buffer, timeoutMs = 30_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => reject(new Error(`echo: got ${got}/${data.length} bytes`)), timeoutMs);
    stream.on('data', (c: Buffer) => {
      parts.push(c);
      got += c.length;
      if (got >= data.length) {
        clearTimeout(timer);
        resolve(Buffer.concat(parts));
      }
    });
    stream.on('error', reject);
    stream.write(data);
  });
}

/** Retries `fn` until it resolves or `deadlineMs` passes (onion descriptors take seconds to spread). */
export async function retryUntil<T>(fn: () => Promise<T>, deadlineMs: number, pauseMs = 1000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() + pauseMs > end) throw err;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}
