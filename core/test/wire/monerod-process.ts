import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when a `monerod` binary is on PATH (CI installs it; locally the itest skips without it). */
export function monerodAvailable(): boolean {
  return spawnSync('monerod', ['--version'], { stdio: 'ignore' }).status === 0;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * One regtest monerod on loopback, started in the foreground so we own exactly its PID.
 * Options follow the shared harness: exclusive node = a dead loopback port (no seeds, no DNS).
 */
export class RegtestMonerod {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'veilnode-wire-monerod-'));

  /** @param exclusivePeer the only peer monerod dials (default: a dead loopback port) */
  constructor(
    readonly p2pPort: number,
    readonly exclusivePeer = p2pPort + 9,
    readonly rpcPort = p2pPort + 1,
  ) {}

  async start(timeoutMs = 90_000): Promise<void> {
    if (await portOpen(this.p2pPort)) throw new Error(`port ${this.p2pPort} is already in use; set VEILNODE_WIRE_ITEST_PORT`);
    const log = openSync(join(this.dir, 'stdout.log'), 'a');
    this.child = spawn(
      'monerod',
      [
        '--regtest',
        '--fixed-difficulty', '1',
        '--data-dir', join(this.dir, 'data'),
        '--p2p-bind-ip', '127.0.0.1', '--p2p-bind-port', String(this.p2pPort), '--no-igd',
        '--rpc-bind-ip', '127.0.0.1', '--rpc-bind-port', String(this.rpcPort), '--no-zmq',
        '--disable-dns-checkpoints', '--check-updates', 'disabled',
        '--add-exclusive-node', `127.0.0.1:${this.exclusivePeer}`,
        '--max-connections-per-ip', '16',
        '--log-file', join(this.dir, 'monerod.log'), '--log-level', '1',
        '--non-interactive',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const exited = new Promise<never>((_, reject) => this.child?.once('exit', (code) => reject(new Error(`monerod exited (${code}), see ${this.dir}`))));
    exited.catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const open = await Promise.race([portOpen(this.p2pPort), exited]);
      if (open) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`monerod did not listen on ${this.p2pPort} within ${timeoutMs} ms, see ${this.dir}`);
  }

  /** Stops exactly the process we started; keeps the directory when `keepLogs`. */
  async stop(keepLogs = false): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await gone;
      clearTimeout(timer);
    }
    if (!keepLogs) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Calls monerod's JSON-RPC (unrestricted, loopback) and returns `result`. */
export async function monerodRpc(rpcPort: number, method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${rpcPort}/json_rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: '0', method, params }),
  });
  const json = (await res.json()) as { result?: Record<string, unknown>; error?: unknown };
  if (json.result === undefined) throw new Error(`monerod RPC ${method} failed: ${JSON.stringify(json.error)}`);
  return json.result;
}
