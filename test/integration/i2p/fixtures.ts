import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SocksDialer } from '@veilnode/plugin-api';
import { skipOrFailWithout } from '../../src/harness/daemon-requirement';
import { I2pNetwork, i2pUnavailableReason } from '../../src/harness/i2p';

/** Socks tunnel target and SOCKS-inbound listener port: above the routers' port range. */
export const SERVER_TUNNEL = { router: 1, name: 'veilin', portOffset: 90 } as const;
/** The server tunnel to monerod's `--anonymous-inbound` port (monerod, like i2p-socks, cannot make its own). */
export const MONEROD_TUNNEL = { router: 1, name: 'monerodin', portOffset: 91 } as const;

let network: Promise<I2pNetwork> | undefined;
const tempDirs: string[] = [];

/**
 * One private I2P network for every I2P integration file (bring-up costs ~25 s): started on
 * first use, stopped by the root after() hook below (and by I2pNetwork's exit handler).
 */
export function sharedNetwork(): Promise<I2pNetwork> {
  network ??= (() => {
    const basePort = Number(process.env.I2P_NET_BASE_PORT ?? 17000);
    return I2pNetwork.start({
      basePort,
      serverTunnels: [SERVER_TUNNEL, MONEROD_TUNNEL].map((t) => ({ router: t.router, name: t.name, port: basePort + t.portOffset })),
    });
  })();
  return network.then(restartDeadRouters);
}

/**
 * A router that died by itself (i2pd 2.45.1's SAM thread segfaults now and then, see
 * i2p-sam.i2p-itest.ts; before this, every later dial through the dead router was refused) is
 * reported with its log and started again, so one crash costs one retried test. A restarted
 * router answers SAM long before it has tunnels again: its SOCKS proxy refused the server
 * tunnel (reply 0x5b) for the next tests, so we wait until r0's SOCKS reaches it once more.
 */
async function restartDeadRouters(net: I2pNetwork): Promise<I2pNetwork> {
  const dead = await net.deadRouters();
  for (const { router, why, logTail } of dead) {
    console.warn(`      i2pd r${router} is dead (${why}); restarting it. End of its log:\n${logTail}`);
    await net.stopRouter(router); // drops the stale PID
    await net.startRouter(router, 60_000);
  }
  if (dead.length > 0) {
    const started = Date.now();
    const socks = new SocksDialer({ proxy: `socks4a://127.0.0.1:${net.socksPort(0)}`, isolation: false, timeoutMs: 60_000 });
    // I2P port 1, as monerod writes it: a dial to port 0 never succeeds, so the wait could not end
    const socket = await retryUntil(180_000, () => socks.dial(net.tunnelB32(SERVER_TUNNEL.name), 1));
    socket.destroy();
    console.warn(`      r0's SOCKS proxy reaches the ${SERVER_TUNNEL.name} tunnel again ${Date.now() - started} ms after the restart`);
  }
  return net;
}

after(async function () {
  this.timeout(60_000);
  if (network) await (await network).down().catch(() => undefined);
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

// The compliance suites allow one retry (see i2p-sam.i2p-itest.ts); the spec reporter shows only
// the final attempt, so a retried test says so here. (currentRetry() is public at run time;
// mocha's typings mark it protected.)
beforeEach(function () {
  const test = this.currentTest as unknown as { title: string; currentRetry(): number } | undefined;
  if (test && test.currentRetry() > 0) console.warn(`      retry ${test.currentRetry()} of "${test.title}"`);
});

/** Skips the suite with a clear message when the harness cannot run (i2pd missing, no netns); fails it under CI=true. */
export function skipUnlessI2p(suite: Mocha.Context): void {
  skipOrFailWithout(suite, i2pUnavailableReason());
}

/** A temp dir removed by the root after() hook. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `veilnode-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Retries `attempt` until it resolves or `deadlineMs` passes (lease sets take a while to spread). */
export async function retryUntil<T>(deadlineMs: number, attempt: () => Promise<T>, onError?: (e: unknown) => void): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      onError?.(error);
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
