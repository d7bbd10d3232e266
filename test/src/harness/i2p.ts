import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** test/dist/src/harness → test/harness/i2p */
const SCRIPTS = resolve(__dirname, '../../../harness/i2p');

export interface ServerTunnel {
  /** Router index that hosts the tunnel (not a floodfill: 0 or 1 of 5). */
  readonly router: number;
  /** Lower-case letters/digits; names the keys file and I2P_TUNNEL_<NAME>_B32. */
  readonly name: string;
  /** Local TCP port on 127.0.0.1 the tunnel forwards to. */
  readonly port: number;
}

export interface I2pNetworkOptions {
  /** First port; default env I2P_NET_BASE_PORT or 17000. Router i uses base + 10i .. + 4. */
  readonly basePort?: number;
  readonly routers?: number;
  readonly serverTunnels?: readonly ServerTunnel[];
}

/** Why the I2P integration tests cannot run here, or undefined when they can. */
export function i2pUnavailableReason(): string | undefined {
  const i2pd = findI2pd();
  if (!i2pd) return 'i2pd is not installed (apt-get install i2pd)';
  if (process.env.I2P_IN_NETNS !== '1') {
    return 'not inside the private network namespace: run `npm run test:integration:i2p` (test/harness/i2p/netns.sh)';
  }
  return undefined;
}

function findI2pd(): string | undefined {
  if (process.env.I2PD) return existsSync(process.env.I2PD) ? process.env.I2PD : undefined;
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/sbin')) {
    if (dir && existsSync(join(dir, 'i2pd'))) return join(dir, 'i2pd');
  }
  return undefined;
}

/** A private i2pd network brought up by test/harness/i2p/up.sh; stop it with down(). */
export class I2pNetwork {
  private stopped = false;
  private readonly onExit = () => this.downSync();

  private constructor(
    readonly dir: string,
    private readonly env: Readonly<Record<string, string>>,
    readonly basePort: number,
  ) {
    process.once('exit', this.onExit);
  }

  /**
   * Brings the network up; a bring-up that fails (up.sh already restarted stalled routers) is
   * retried once from scratch in a fresh directory, so one stalled private network does not fail
   * the whole suite, while a real breakage still fails after two attempts (~7 min at most).
   */
  static async start(options: I2pNetworkOptions = {}): Promise<I2pNetwork> {
    try {
      return await I2pNetwork.startOnce(options);
    } catch (error) {
      console.warn(`      ${(error as Error).message}\n      retrying the bring-up once in a fresh directory`);
      return I2pNetwork.startOnce(options);
    }
  }

  private static async startOnce(options: I2pNetworkOptions): Promise<I2pNetwork> {
    const basePort = options.basePort ?? Number(process.env.I2P_NET_BASE_PORT ?? 17000);
    const dir = await mkdtemp(join(tmpdir(), 'veilnode-i2p-'));
    const tunnels = (options.serverTunnels ?? []).map((t) => `${t.router}:${t.name}:${t.port}`).join(' ');
    try {
      const { stdout } = await run('bash', [join(SCRIPTS, 'up.sh'), dir], {
        env: {
          ...process.env,
          I2P_NET_BASE_PORT: String(basePort),
          I2P_NET_ROUTERS: String(options.routers ?? 5),
          I2P_NET_SERVER_TUNNELS: tunnels,
          // routers go down by themselves if this test process dies without after() hooks
          I2P_NET_OWNER_PID: String(process.pid),
        },
        maxBuffer: 1 << 20,
      });
      return new I2pNetwork(dir, parseEnv(stdout), basePort);
    } catch (error) {
      // up.sh stopped what it started and kept the dir; show where the logs are
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`i2p test network did not come up (logs in ${dir}):\n${stderr.split('\n').slice(-15).join('\n')}`, { cause: error });
    }
  }

  get bootSeconds(): number {
    return Number(this.env.I2P_NET_BOOT_SECONDS);
  }

  samPort(router: number): number {
    return this.number(`I2P_SAM_PORT_${router}`);
  }

  socksPort(router: number): number {
    return this.number(`I2P_SOCKS_PORT_${router}`);
  }

  tunnelB32(name: string): string {
    const value = this.env[`I2P_TUNNEL_${name.toUpperCase()}_B32`];
    if (!value) throw new Error(`no server tunnel ${name} in this network`);
    return value;
  }

  /** Stops router `i` (by its recorded PID). */
  async stopRouter(i: number): Promise<void> {
    await run('bash', [join(SCRIPTS, 'restart.sh'), this.dir, String(i), 'stop']);
  }

  /** Starts router `i` again with the same identity and config; waits until its SAM answers. */
  async startRouter(i: number, timeoutMs = 30_000): Promise<void> {
    await run('bash', [join(SCRIPTS, 'restart.sh'), this.dir, String(i), 'start']);
    await waitForSam(this.samPort(i), timeoutMs);
  }

  /**
   * Routers that died by themselves, with the end of their log: the recorded PID is gone, or its
   * SAM port has refused connections for `patienceMs` (a segfaulted i2pd can linger while the
   * kernel dumps it). A router busy with a large stream is slow, not dead: once a 2 s probe
   * during a 16 MiB SOCKS transfer took a live r0 for dead, and its restart failed every later test.
   */
  async deadRouters(patienceMs = 30_000): Promise<{ router: number; why: string; logTail: string }[]> {
    const dead: { router: number; why: string; logTail: string }[] = [];
    for (const line of readFileSync(join(this.dir, 'pids'), 'utf8').split('\n')) {
      const m = /^(\d+) r(\d+)$/.exec(line.trim());
      if (!m) continue;
      const [pid, router] = [Number(m[1]), Number(m[2])];
      const why = await this.whyDead(pid, this.samPort(router), patienceMs);
      if (why === undefined) continue;
      let log = '';
      try {
        log = this.routerLog(router);
      } catch {
        // no log yet
      }
      dead.push({ router, why, logTail: log.split('\n').slice(-15).join('\n') });
    }
    return dead;
  }

  private async whyDead(pid: number, samPort: number, patienceMs: number): Promise<string | undefined> {
    const since = Date.now();
    for (;;) {
      if (!isRunning(pid)) return `pid ${pid} is gone`;
      const failure = await connectFailure(samPort);
      if (failure === undefined) return undefined;
      if (Date.now() - since > patienceMs) return `pid ${pid} runs but its SAM port has failed connections for ${patienceMs} ms (last: ${failure})`;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async down(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    process.off('exit', this.onExit);
    await run('bash', [join(SCRIPTS, 'down.sh'), this.dir]);
  }

  /** Last resort when the test process exits without after() hooks running. */
  private downSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    spawnSync('bash', [join(SCRIPTS, 'down.sh'), this.dir], { stdio: 'ignore' });
  }

  private number(key: string): number {
    const value = Number(this.env[key]);
    if (!Number.isInteger(value)) throw new Error(`${key} missing from net.env`);
    return value;
  }

  /** Reads a router's log (for assertions and failure messages). */
  routerLog(i: number): string {
    return readFileSync(join(this.dir, `r${i}`, 'i2pd.log'), 'utf8');
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Why a TCP connect to the port failed (error code, or a 2 s timeout), or undefined if it succeeded. */
async function connectFailure(port: number): Promise<string | undefined> {
  const { connect } = await import('node:net');
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => {
      socket.destroy();
      done('no answer in 2 s');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    socket.once('connect', () => {
      socket.destroy();
      done(undefined);
    });
  });
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

async function waitForSam(port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setTimeout(2000, () => { socket.destroy(); done(false); });
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('HELLO VERSION MIN=3.1 MAX=3.1\n'));
      socket.once('data', (d) => { socket.destroy(); done(d.toString().startsWith('HELLO REPLY RESULT=OK')); });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`SAM on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
