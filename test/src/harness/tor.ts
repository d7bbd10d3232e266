import { execFile, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { executableMissingReason } from './daemon-requirement';
import { OnionServiceKey, TorControlClient } from '@veilnode/tor';

/** Where the bash harness lives (test/harness/tor), from test/dist/src/harness. */
const SCRIPTS = resolve(__dirname, '../../../harness/tor');

/** A private Tor network on 127.0.0.1 started by test/harness/tor/up.sh. */
export interface TorNetwork {
  readonly dir: string;
  /** Client SocksPort (plain) and the one with ExtendedErrors (0xF0–0xF7). */
  readonly socksPort: number;
  readonly socksPortExt: number;
  /** Control ports (cookie auth) of the client and of the onion-service node. */
  readonly controlPortClient: number;
  readonly controlPortHs: number;
  /** The harness's own onion service: HS_VPORT → 127.0.0.1:HS_TARGET_PORT, HS_VPORT_2 → …_2. */
  readonly onionHostname: string;
  readonly hsVport: number;
  readonly hsTargetPort: number;
  readonly hsVport2: number;
  readonly hsTargetPort2: number;
  /** Seconds from the start of up.sh, as it measured them. */
  readonly timings: { readonly consensus: number; readonly bootstrap: number; readonly descriptor: number; readonly total: number };
  /**
   * Adds one more onion service on the onion-service node (ADD_ONION over its control port):
   * `virtualPort` → 127.0.0.1:`targetPort`, e.g. monerod's `--anonymous-inbound` port. The
   * service lives as long as the returned control connection (close() removes it).
   */
  addOnion(targetPort: number, virtualPort?: number): Promise<HarnessOnion>;
  /** Stops one tor (e.g. `client`) by its recorded PID. */
  stopNode(name: string): Promise<void>;
  /** Starts it again and waits for its bootstrap; resolves with the seconds it took. */
  startNode(name: string): Promise<number>;
  /** Stops every tor of the network (by PID) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface HarnessOnion {
  /** `<56 base32>.onion` */
  readonly hostname: string;
  readonly virtualPort: number;
  close(): Promise<void>;
}

/** ADD_ONION with a fresh key on the control port `controlPort` (cookie auth). */
async function addOnion(controlPort: number, targetPort: number, virtualPort: number): Promise<HarnessOnion> {
  const key = OnionServiceKey.generate();
  const client = await TorControlClient.connect('127.0.0.1', controlPort, { timeoutMs: 10_000 });
  try {
    await client.authenticate();
    const serviceId = await client.addOnion(key.toTorKeyBlob(), virtualPort, `127.0.0.1:${targetPort}`);
    return { hostname: `${serviceId}.onion`, virtualPort, close: () => client.close() };
  } catch (err) {
    await client.close();
    throw err;
  }
}

export interface TorNetworkOptions {
  /** First port of the block the network uses (+0..+41). Default: env TOR_NET_BASE_PORT or 15000. */
  readonly basePort?: number;
  /** Local port the harness's onion service forwards to. Default base+40. */
  readonly hsTargetPort?: number;
  /** Bring-up deadline, seconds. */
  readonly timeoutSeconds?: number;
}

/** Null when tor and tor-gencert are installed, else the reason to skip. */
export function torMissingReason(): string | null {
  return executableMissingReason(process.env.TOR ?? '/usr/sbin/tor', 'tor') ?? executableMissingReason(process.env.TOR_GENCERT ?? '/usr/bin/tor-gencert', 'tor');
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(resolve(SCRIPTS, script), args, { env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-3000)}`));
      else resolvePromise(stdout);
    });
  });
}

function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/**
 * Brings up a private Tor network. Every tor gets `__OwningControllerProcess` = this process, so
 * they exit by themselves should the test process die without stopping them.
 */
export async function startTorNetwork(options: TorNetworkOptions = {}): Promise<TorNetwork> {
  const basePort = options.basePort ?? Number(process.env.TOR_NET_BASE_PORT ?? 15000);
  const timeoutSeconds = options.timeoutSeconds ?? 150;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TOR_NET_BASE_PORT: String(basePort),
    TOR_NET_OWNER_PID: String(process.pid),
    TOR_NET_TIMEOUT: String(timeoutSeconds),
    ...(options.hsTargetPort ? { TOR_NET_HS_TARGET_PORT: String(options.hsTargetPort) } : {}),
  };
  const started = Date.now();
  const values = parseKeyValues(await run('up.sh', [], env, (timeoutSeconds + 30) * 1000));
  const dir = values.get('TOR_NET_DIR');
  if (dir === undefined) throw new Error('up.sh printed no TOR_NET_DIR');
  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(resolve(SCRIPTS, 'down.sh'), [dir], { stdio: 'ignore', timeout: 20_000 });
    } catch {
      // the tors still exit by themselves: __OwningControllerProcess is this process
    }
  };
  process.once('exit', stopSync);
  const need = (key: string): string => {
    const v = values.get(key);
    if (v !== undefined) return v;
    stopSync();
    throw new Error(`up.sh printed no ${key}; network stopped`);
  };
  return {
    dir,
    socksPort: Number(need('SOCKS_PORT')),
    socksPortExt: Number(need('SOCKS_PORT_EXT')),
    controlPortClient: Number(need('CONTROL_PORT_CLIENT')),
    controlPortHs: Number(need('CONTROL_PORT_HS')),
    onionHostname: need('ONION_HOSTNAME'),
    hsVport: Number(need('HS_VPORT')),
    hsTargetPort: Number(need('HS_TARGET_PORT')),
    hsVport2: Number(need('HS_VPORT_2')),
    hsTargetPort2: Number(need('HS_TARGET_PORT_2')),
    timings: {
      consensus: Number(need('CONSENSUS_SECONDS')),
      bootstrap: Number(need('BOOTSTRAP_SECONDS')),
      descriptor: Number(need('DESC_PUBLISHED_SECONDS')),
      total: (Date.now() - started) / 1000,
    },
    addOnion: (targetPort, virtualPort = 18083) => addOnion(Number(need('CONTROL_PORT_HS')), targetPort, virtualPort),
    stopNode: async (name) => {
      await run('node.sh', [dir, 'stop', name], env, 30_000);
    },
    startNode: async (name) => Number(parseKeyValues(await run('node.sh', [dir, 'start', name], env, 150_000)).get('RESTART_SECONDS')),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.off('exit', stopSync);
      await run('down.sh', [dir], env, 30_000);
    },
  };
}

let shared: Promise<TorNetwork> | undefined;

/**
 * One network per test process, started on first use and stopped when the process exits (the
 * integration suite runs with mocha --exit). Suites share it because bring-up takes ~20–35 s.
 */
export function sharedTorNetwork(): Promise<TorNetwork> {
  shared ??= startTorNetwork();
  return shared;
}
