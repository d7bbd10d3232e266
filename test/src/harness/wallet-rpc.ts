import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { until } from '../until';

/**
 * A real monero-wallet-rpc (Debian `monero`) whose only daemon is `daemonAddress`, on loopback,
 * untrusted daemon (as a wallet treats a remote node), stopped by its PID.
 */
export class WalletRpc {
  private child: ChildProcess | undefined;

  constructor(
    private readonly options: { readonly port: number; readonly daemonAddress: string; readonly dir: string; readonly extraArgs?: readonly string[] },
  ) {}

  get logFile(): string {
    return join(this.options.dir, 'wallet-rpc.log');
  }

  async start(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    this.child = spawn(
      'monero-wallet-rpc',
      [
        '--daemon-address', this.options.daemonAddress, '--untrusted-daemon',
        '--rpc-bind-ip', '127.0.0.1', '--rpc-bind-port', String(this.options.port), '--disable-rpc-login',
        '--wallet-dir', this.options.dir, '--log-file', this.logFile, '--log-level', '1', '--non-interactive',
        ...(this.options.extraArgs ?? []),
      ],
      { stdio: 'ignore' },
    );
    await until('monero-wallet-rpc answering', () => this.call('get_version').then(() => true, () => false), 30_000, 200);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child?.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** A wallet JSON-RPC call: its result, or an Error with the wallet's message. */
  async call<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${this.options.port}/json_rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method, params }),
    });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error !== undefined || body.result === undefined) throw new Error(`wallet ${method} failed: ${body.error?.message ?? response.status}`);
    return body.result;
  }
}
