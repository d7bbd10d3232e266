import type { Logger } from '@veilnode/plugin-api';
import { composeClearnetNode, type Veilnode } from '../clearnet-node';
import { until } from '../until';
import type { MonerodHarness } from './monerod';

/**
 * A wallet's daemon as the wallet suites use it: a started veilnode whose upstream is
 * `upstreamPort` (a counting proxy in front of monerod's RPC), watching it every second, with
 * `monerod` (started here, after veilnode listens) as its one p2p peer, ready. Its RPC address too.
 */
export async function startUpstreamNode(options: { readonly dir: string; readonly p2pPort: number; readonly upstreamPort: number; readonly monerod: MonerodHarness; readonly logger: Logger }): Promise<{ veilnode: Veilnode; rpc: string }> {
  const { dir, p2pPort, upstreamPort, monerod, logger } = options;
  const { veilnode } = await composeClearnetNode({
    dir,
    p2pPort,
    exclusivePeer: `127.0.0.1:${monerod.p2pPort}`,
    logger,
    args: ['--bootstrap-daemon-address', `http://127.0.0.1:${upstreamPort}`],
    rpc: { upstream: { watchIntervalMs: 1_000 } },
    compose: { peers: { maintenanceIntervalMs: 500, allowLoopback: true } },
  });
  const { rpc } = await veilnode.start();
  await monerod.start();
  await until('a ready connection to monerod', () => veilnode.peers.layer.connections('clearnet').some((c) => c.state === 'ready'), 30_000);
  return { veilnode, rpc };
}
