import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPTS = resolve(__dirname, '../../../harness/monerod');

export interface MonerodHarnessOptions {
  /** p2p = base, rpc = base+1, anonymous inbound = base+2, wallet rpc = base+5. Default env MONERO_BASE_PORT or 18800. */
  readonly basePort?: number;
  readonly nodes?: number;
  /** host:port list node 0 gets as --add-exclusive-node (e.g. our own listener). */
  readonly exclusive?: readonly string[];
  /** Open monerod's --anonymous-inbound listener (a Tor zone over plain TCP). */
  readonly anonymousInbound?: boolean;
  readonly logLevel?: number;
  readonly extraArgs?: string;
  /** p2p listen IP (127.0.0.0/8; default 127.0.0.1): monerod dials its peers from it too. */
  readonly p2pBindIp?: string;
}

export interface MonerodTx {
  /** Id as monero-wallet-rpc reports it. */
  readonly id: string;
  readonly blob: Buffer;
}

export interface PoolTx {
  readonly id_hash: string;
  readonly tx_blob: string;
  readonly relayed: boolean;
}

export interface MonerodConnection {
  readonly address: string;
  readonly incoming: boolean;
  /** Hex, as monerod prints it. */
  readonly peer_id: string;
  readonly state: string;
  readonly height: number;
}

export interface MonerodPeer {
  readonly host: string;
  readonly port: number;
  /** u64 as a JSON number (may lose precision above 2^53). */
  readonly id: number;
}

/** Null when the monerod and monero-wallet-rpc binaries are on PATH, else what is missing. */
export function monerodMissingReason(): string | null {
  try {
    execFileSync('sh', ['-c', 'command -v monerod && command -v monero-wallet-rpc'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'monerod / monero-wallet-rpc not installed (apt-get install monero; CI installs the Debian package)';
  }
}

/**
 * A regtest monerod started from the project's test/harness/monerod scripts: loopback only,
 * ports from a base, stopped by the PIDs the scripts recorded (also when the process exits
 * without calling stop()).
 */
export class MonerodHarness {
  readonly basePort: number;
  private dir?: string;
  private readonly cleanup = (): void => this.stopSync();
  timings: Record<string, number> = {};

  constructor(private readonly options: MonerodHarnessOptions = {}) {
    this.basePort = options.basePort ?? Number(process.env.MONERO_BASE_PORT ?? 18800);
  }

  get p2pPort(): number {
    return this.basePort;
  }

  get rpcPort(): number {
    return this.basePort + 1;
  }

  get anonymousInboundPort(): number {
    return this.basePort + 2;
  }

  /** The dummy onion address monerod's anonymous inbound announces. */
  onionAddress?: string;

  async start(): Promise<void> {
    const started = Date.now();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MONERO_BASE_PORT: String(this.basePort),
      MONERO_NODES: String(this.options.nodes ?? 1),
      MONERO_EXCLUSIVE_0: (this.options.exclusive ?? []).join(' '),
      MONERO_ANON_INBOUND: this.options.anonymousInbound ? '1' : '0',
      MONERO_LOG_LEVEL: String(this.options.logLevel ?? 1),
      MONEROD_ARGS_0: this.options.extraArgs ?? '',
      MONERO_P2P_BIND_IP_0: this.options.p2pBindIp ?? '127.0.0.1',
    };
    // the dir is ours before up.sh runs, so a failed start can still be torn down by PID
    this.dir = await mkdtemp(join(tmpdir(), 'veilnode-monerod-'));
    process.once('exit', this.cleanup);
    let stdout: string;
    try {
      ({ stdout } = await run(resolve(SCRIPTS, 'up.sh'), [this.dir], { env }));
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      await this.stop();
      throw new Error(`monerod harness failed to start: ${stderr.trim() || String(err)}`, { cause: err });
    }
    const vars = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.split('='))
        .filter((kv) => kv.length === 2),
    );
    this.onionAddress = vars.NODE0_ONION;
    this.timings.upMs = Date.now() - started;
  }

  async stop(): Promise<void> {
    process.removeListener('exit', this.cleanup);
    const dir = this.dir;
    this.dir = undefined;
    if (dir) await run(resolve(SCRIPTS, 'down.sh'), [dir]);
  }

  /** Path of monerod's log file (for diagnostics). */
  get logFile(): string | undefined {
    return this.dir ? resolve(this.dir, 'node0/monerod.log') : undefined;
  }

  async rpc<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.rpcPort}/json_rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method, params }),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (body.error || !body.result) throw new Error(`monerod ${method} failed: ${body.error?.message ?? res.status}`);
    return body.result;
  }

  /** monerod's "other" RPC endpoints (/get_transaction_pool, /send_raw_transaction...). */
  async rest<T = Record<string, unknown>>(path: string, body: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.rpcPort}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as T;
  }

  getInfo(): Promise<{ height: number; top_block_hash: string; cumulative_difficulty: number; incoming_connections_count: number; outgoing_connections_count: number; synchronized: boolean }> {
    return this.rpc('get_info');
  }

  /** Unrestricted get_connections: monerod's view of its peers. */
  async getConnections(): Promise<MonerodConnection[]> {
    return (await this.rpc<{ connections?: MonerodConnection[] }>('get_connections')).connections ?? [];
  }

  /** /get_peer_list: monerod's white and gray lists (public zone). */
  async getPeerList(): Promise<{ white: MonerodPeer[]; gray: MonerodPeer[] }> {
    const r = await this.rest<{ white_list?: MonerodPeer[]; gray_list?: MonerodPeer[] }>('get_peer_list');
    return { white: r.white_list ?? [], gray: r.gray_list ?? [] };
  }

  async getTransactionPool(): Promise<PoolTx[]> {
    const r = await this.rest<{ transactions?: PoolTx[] }>('get_transaction_pool');
    return r.transactions ?? [];
  }

  async sendRawTransaction(blob: Uint8Array, doNotRelay = false): Promise<{ status: string; reason?: string }> {
    return this.rest('send_raw_transaction', { tx_as_hex: Buffer.from(blob).toString('hex'), do_not_relay: doNotRelay });
  }

  /** Mines `blocks` blocks to `address` (any valid mainnet-format address). */
  async generateBlocks(blocks: number, address: string): Promise<{ height: number }> {
    return this.rpc('generateblocks', { amount_of_blocks: blocks, wallet_address: address, starting_nonce: 0 });
  }

  /**
   * N real signed, not relayed txs spending distinct outputs (make-txs.sh: wallet-rpc, mining,
   * sweep_single). monerod must have a synchronised peer first (it answers BUSY otherwise).
   * `bigInputs` K appends one more tx spending K other outputs (~0.9 KB each: 4 give ~3.5 KB,
   * more than one 3072-byte noise slot).
   */
  async makeTxs(n: number, options: { readonly bigInputs?: number } = {}): Promise<MonerodTx[]> {
    if (!this.dir) throw new Error('monerod harness not started');
    const started = Date.now();
    const out = resolve(this.dir, `txs-${started}.txt`);
    try {
      await run(resolve(SCRIPTS, 'make-txs.sh'), [this.dir, String(n), out], { env: { ...process.env, MAKE_TXS_BIG_INPUTS: String(options.bigInputs ?? 0) } });
    } catch (err) {
      const { stderr = '', code, signal } = err as { stderr?: string; code?: number | string; signal?: string | null };
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      throw new Error(`make-txs.sh failed (exit ${code ?? '?'}, signal ${signal ?? 'none'}): ${tail || 'no output'}`, { cause: err });
    }
    this.timings.makeTxsMs = Date.now() - started;
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    return lines.map((l) => {
      const [id, hex] = l.split(' ');
      return { id, blob: Buffer.from(hex, 'hex') };
    });
  }

  private stopSync(): void {
    if (!this.dir) return;
    try {
      execFileSync(resolve(SCRIPTS, 'down.sh'), [this.dir], { stdio: 'ignore' });
    } catch {
      // best effort at process exit
    }
    this.dir = undefined;
  }
}
