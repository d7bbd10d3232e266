import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { BenchError } from './bench-error';
import type { BenchTarget } from './bench-target';
import type { ClaimedChain } from './load-protocol';

const run = promisify(execFile);
/** The project's monerod harness scripts (up.sh, make-txs.sh, down.sh). */
const SCRIPTS = resolve(__dirname, '../../../../test/harness/monerod');

export interface SignedTx {
  readonly id: string;
  readonly blobHex: string;
}

/**
 * A regtest monerod 0.18 on loopback from test/harness/monerod: one data dir for the whole run
 * (the chain with the wallet's coins survives restarts), restarted for each peer count so every
 * measurement starts from a fresh process. Inbound limits raised for the load.
 */
export class MonerodTarget implements BenchTarget {
  readonly name = 'monerod';
  readonly host = '127.0.0.1';
  private dir?: string;
  private pidValue?: number;

  constructor(
    private readonly basePort: number,
    private readonly maxConnections: number,
  ) {}

  get port(): number {
    return this.basePort;
  }

  get pid(): number {
    if (this.pidValue === undefined) throw new BenchError('BENCH_NOT_STARTED', 'monerod is not running');
    return this.pidValue;
  }

  async start(): Promise<void> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'veilnode-bench-monerod-'));
    const env = {
      ...process.env,
      MONERO_BASE_PORT: String(this.basePort),
      MONERO_NODES: '1',
      MONERO_LOG_LEVEL: process.env.MONERO_LOG_LEVEL ?? '0',
      MONERO_MAX_CONN_PER_IP: String(this.maxConnections),
      // --keep-fakechain: a regtest chain is wiped at start otherwise (we restart for every peer count)
      MONEROD_ARGS_0: `--in-peers ${this.maxConnections} --out-peers 0 --keep-fakechain`,
    };
    try {
      await run(join(SCRIPTS, 'up.sh'), [this.dir], { env });
    } catch (err) {
      await this.dispose();
      throw new BenchError('BENCH_TARGET_START', `monerod did not start: ${((err as { stderr?: string }).stderr ?? String(err)).trim()}`);
    }
    this.pidValue = Number((await readFile(join(this.dir, 'node0', 'monerod.pid'), 'utf8')).trim());
  }

  /** Stops the daemon (and the wallet RPC make-txs started), keeping the data dir for the next start. */
  async stop(): Promise<void> {
    this.pidValue = undefined;
    if (this.dir) await run(join(SCRIPTS, 'down.sh'), ['--keep', this.dir]);
  }

  /** Stops everything and removes the data dir. */
  async dispose(): Promise<void> {
    this.pidValue = undefined;
    const dir = this.dir;
    this.dir = undefined;
    if (dir) await run(join(SCRIPTS, 'down.sh'), [dir]).catch(() => rm(dir, { recursive: true, force: true }));
  }

  /** Last resort at process exit: stops the recorded PIDs synchronously. */
  disposeSync(): void {
    const dir = this.dir;
    this.dir = undefined;
    if (!dir) return;
    try {
      execFileSync(join(SCRIPTS, 'down.sh'), [dir], { stdio: 'ignore' });
    } catch {
      // best effort while exiting
    }
  }

  /** N valid signed, not relayed txs (make-txs.sh; monerod must have a synchronised peer). */
  async makeTxs(n: number): Promise<SignedTx[]> {
    const dir = this.dir;
    if (!dir) throw new BenchError('BENCH_NOT_STARTED', 'monerod is not running');
    const out = join(dir, 'bench-txs.txt');
    // under CPU load a wallet call make-txs.sh does not retry can fail without a word; each
    // attempt uses a fresh wallet, so a second one is safe
    for (let attempt = 1; ; attempt++) {
      try {
        await run(join(SCRIPTS, 'make-txs.sh'), [dir, String(n), out], { env: { ...process.env, MONERO_BASE_PORT: String(this.basePort) } });
        break;
      } catch (err) {
        const stderr = ((err as { stderr?: string }).stderr ?? '').trim();
        const walletLog = await readFile(join(dir, 'wallet', 'stdout.log'), 'utf8').catch(() => '');
        const failure = `make-txs.sh failed (${(err as Error).message.split('\n')[0]}): ${stderr.slice(-1500)} ${walletLog.trim().slice(-500)}`;
        if (attempt >= 2) throw new BenchError('BENCH_TXS', failure);
        process.stderr.write(`${failure}\nretrying once\n`);
      }
    }
    return (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => {
        const [id, blobHex] = line.split(' ');
        return { id, blobHex };
      });
  }

  /** The chain top peers should claim so monerod treats them as synchronised. */
  async chainTop(): Promise<ClaimedChain> {
    const res = await fetch(`http://127.0.0.1:${this.basePort + 1}/json_rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'get_last_block_header' }),
    });
    const body = (await res.json()) as { result?: { block_header: { height: number; hash: string; cumulative_difficulty: number; major_version: number } } };
    const header = body.result?.block_header;
    if (!header) throw new BenchError('BENCH_RPC', `monerod get_last_block_header failed: ${JSON.stringify(body)}`);
    return { height: String(header.height + 1), cumulativeDifficulty: String(header.cumulative_difficulty), topId: header.hash, topVersion: header.major_version };
  }
}
