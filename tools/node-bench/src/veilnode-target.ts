import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BenchError } from './bench-error';
import { waitForListener, type BenchTarget } from './bench-target';

/** veilnode's real CLI (the `veilnode` bin of @veilnode/node). */
const VEILNODE_BIN = join(dirname(require.resolve('@veilnode/node/package.json')), 'bin', 'veilnode.cjs');

/**
 * veilnode started from its CLI on a fresh temp data dir, with a clearnet-only config bound to
 * loopback: inbound up to `maxInbound`, no outbound dialling, quiet logs.
 */
export class VeilnodeTarget implements BenchTarget {
  readonly name = 'veilnode';
  readonly host = '127.0.0.1';
  private child?: ChildProcess;
  private dir?: string;

  constructor(
    readonly port: number,
    private readonly maxInbound: number,
    private readonly nodeArgs: readonly string[] = [],
    /** RPC port (0: any free one, when nobody asks the RPC). */
    readonly rpcPort = 0,
  ) {}

  get pid(): number {
    if (this.child?.pid === undefined) throw new BenchError('BENCH_NOT_STARTED', 'veilnode is not running');
    return this.child.pid;
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'veilnode-bench-'));
    const config = join(this.dir, 'veilnode.json5');
    await writeFile(
      config,
      JSON.stringify({
        plugins: ['@veilnode/clearnet'],
        network: 'regtest',
        dataDir: join(this.dir, 'data'),
        log: { level: process.env.VEILNODE_BENCH_LOG_LEVEL ?? 'warn' },
        p2p: { bindIp: this.host, bindPort: this.port },
        rpc: { bindIp: this.host, bindPort: this.rpcPort },
        // as many per IP as monerod-target allows (--max-connections-per-ip): the load comes from 253 loopback IPs
        zones: { clearnet: { enabled: true, transport: 'clearnet', maxInbound: this.maxInbound, maxConnectionsPerIp: this.maxInbound, maxOutbound: 0 } },
      }),
    );
    const log = createWriteStream(join(this.dir, 'veilnode.log'));
    const child = spawn(process.execPath, [...this.nodeArgs, VEILNODE_BIN, '--config', config], { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child = child;
    const up = await waitForListener(this.host, this.port, 30_000, () => child.exitCode === null);
    if (!up) {
      const output = await readFile(join(this.dir, 'veilnode.log'), 'utf8').catch(() => '');
      await this.stop();
      throw new BenchError('BENCH_TARGET_START', `veilnode did not listen on ${this.host}:${this.port}: ${output.trim().slice(-2000)}`);
    }
  }

  /** Last resort at process exit: kills the node (its temp dir stays). */
  killSync(): void {
    if (this.child?.exitCode === null) this.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
