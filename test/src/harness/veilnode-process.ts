import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The CLI entry point of the built node package (what `npm start` runs). */
const MAIN = require.resolve('@veilnode/node/cli');

export interface VeilnodeProcessOptions {
  /** Where the config file and the process's log go (the config's dataDir may be elsewhere). */
  readonly dir: string;
  /** The node's config (written as JSON to `<dir>/<name>.json`). */
  readonly config: Record<string, unknown>;
  /** RPC port the config binds (the harness waits for it). */
  readonly rpcPort: number;
  readonly name?: string;
}

/**
 * One veilnode, run as its own process from the real CLI. Stops (or kills) exactly the PID it
 * started, also when the test process exits without calling stop().
 */
export class VeilnodeProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private readonly cleanup = (): void => void this.child?.kill('SIGKILL');
  exited: Promise<number | null> = Promise.resolve(null);

  constructor(private readonly options: VeilnodeProcessOptions) {}

  get name(): string {
    return this.options.name ?? 'veilnode';
  }

  /** The config file start() writes (for CLI commands run with this node's config). */
  get configFile(): string {
    return join(this.options.dir, `${this.name}.json`);
  }

  /** stdout + stderr of every run (JSON log lines), appended. */
  get logFile(): string {
    return join(this.options.dir, `${this.name}.log`);
  }

  /**
   * The JSON log lines written at or after `sinceMs` (epoch ms), parsed; lines that are not JSON
   * (a crash trace) are kept as `{ msg }`. For timelines printed by tests and for failure reports.
   */
  async logSince(sinceMs = 0): Promise<Array<Record<string, unknown> & { time?: number; msg?: string }>> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown> & { time?: number; msg?: string };
        } catch {
          return { msg: line };
        }
      })
      .filter((entry) => entry.time === undefined || entry.time >= sinceMs);
  }

  /**
   * The log since `sinceMs` as one line per entry, "seconds-since message {fields}", for the
   * entries `keep` selects (at most `limit`): what a test prints to explain its timing or failure.
   */
  async timeline(sinceMs: number, keep: (entry: Record<string, unknown>) => boolean, limit = 60): Promise<string> {
    return (await this.logSince(sinceMs))
      .filter(keep)
      .slice(0, limit)
      .map((e) => {
        const fields = Object.fromEntries(Object.entries(e).filter(([key]) => !['time', 'msg', 'level', 'pid', 'hostname', 'service'].includes(key)));
        return `        ${(((e.time ?? sinceMs) - sinceMs) / 1000).toFixed(1)} ${e.msg} ${JSON.stringify(fields)}`;
      })
      .join('\n');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and resolves once its RPC answers get_info. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.child) throw new Error(`${this.name} already runs (pid ${this.child.pid})`);
    await writeFile(this.configFile, JSON.stringify(this.options.config, null, 2));
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [MAIN, '--config', this.configFile], { env: { PATH: process.env.PATH, HOME: this.options.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    process.once('exit', this.cleanup);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        process.removeListener('exit', this.cleanup);
        if (this.child === child) this.child = undefined;
        resolve(code);
      }),
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) {
        // the log dir is usually removed by the test's cleanup: say why here (after the pipe drained)
        await new Promise((r) => setTimeout(r, 200));
        const tail = (await readFile(this.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');
        throw new Error(`${this.name} exited with ${child.exitCode} during start; the end of its log:\n${tail}`);
      }
      try {
        await this.json('/get_info', {});
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`${this.name} RPC did not answer within ${timeoutMs} ms, see ${this.logFile}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** SIGKILL: no graceful stop, no flush beyond what was already fsync'd. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait for the exit code (the CLI stops within 5 s or exits 1). */
  async stop(): Promise<number | null> {
    if (!this.child) return null;
    this.child.kill('SIGTERM');
    const code = await this.exited;
    this.log?.end();
    return code;
  }

  /** POST a monerod-style plain endpoint (`/send_raw_transaction`, `/get_info`...). */
  async json<T = Record<string, unknown>>(path: string, body: Record<string, unknown>): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.options.rpcPort}${path}`, { method: 'POST', body: JSON.stringify(body) });
    return (await res.json()) as T;
  }

  /** JSON-RPC 2.0 at /json_rpc; returns `result`. */
  async rpc<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const body = await this.json<{ result?: T; error?: { message: string } }>('/json_rpc', { jsonrpc: '2.0', id: 1, method, params });
    if (body.result === undefined) throw new Error(`${this.name} ${method} failed: ${body.error?.message}`);
    return body.result;
  }
}
