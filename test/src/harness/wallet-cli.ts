import { spawn } from 'node:child_process';

/** What one monero-wallet-cli run printed, and how it ended. */
export interface WalletCliRun {
  readonly stdout: string;
  readonly code: number | null;
}

/** The most a run may print before it is stopped (a CLI in a prompt loop must not fill memory). */
const MAX_OUTPUT_BYTES = 1024 * 1024;
/** A run that takes longer is stopped (a CLI waiting on a prompt nobody answers). */
const RUN_TIMEOUT_MS = 120_000;

/**
 * A real monero-wallet-cli (Debian `monero`), run as a user scripts it: one wallet file, an
 * empty password, `--daemon-address` (veilnode), `--trusted-daemon`, one `--command` per run,
 * answers to its prompts (password, "Is this okay?") on stdin. Each run is bounded in time and
 * output and stopped by its PID.
 */
export class WalletCli {
  constructor(
    private readonly options: { readonly walletFile: string; readonly daemonAddress: string; readonly logFile: string },
  ) {}

  /** Runs `command` (its words) on the wallet; `stdin` lines answer its prompts. */
  run(command: readonly string[], stdin: readonly string[] = []): Promise<WalletCliRun> {
    return runCli(['--wallet-file', this.options.walletFile, ...this.daemonArgs(command)], stdin);
  }

  /** Creates the wallet file (`--generate-new-wallet`, English seed) and runs `command` on it. */
  generate(command: readonly string[]): Promise<WalletCliRun> {
    return runCli(['--generate-new-wallet', this.options.walletFile, '--mnemonic-language', 'English', ...this.daemonArgs(command)], []);
  }

  private daemonArgs(command: readonly string[]): string[] {
    const { daemonAddress, logFile } = this.options;
    return ['--password', '', '--daemon-address', daemonAddress, '--trusted-daemon', '--log-file', logFile, '--log-level', '1', '--command', ...command];
  }
}

function runCli(args: readonly string[], stdin: readonly string[]): Promise<WalletCliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('monero-wallet-cli', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    const take = (chunk: Buffer): void => {
      stdout += chunk.toString('utf8');
      if (stdout.length > MAX_OUTPUT_BYTES) child.kill('SIGKILL');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, code });
    });
    child.stdin.on('error', () => undefined); // the CLI may exit before reading all answers
    child.stdin.end(stdin.map((line) => `${line}\n`).join(''));
  });
}
