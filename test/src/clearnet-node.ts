import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// the node as the CLI composes it (the node package's embedding entry)
import { createNode, type PreparedNode, type Veilnode, type VeilnodeOptions } from '@veilnode/node';
import type { Logger } from '@veilnode/plugin-api';

/** What composeClearnetNode returns, for suites that hold it. */
export type { Veilnode };

export interface ClearnetNodeOptions {
  /** Working dir: the config file `node.json5` and the data dir `node/` go in it. */
  readonly dir: string;
  readonly p2pPort: number;
  /** `host:port` of the node's one peer (a monerod). */
  readonly exclusivePeer: string;
  /** More command-line flags after `--config <file>`. */
  readonly args?: readonly string[];
  readonly logger: Logger;
  readonly compose?: VeilnodeOptions;
  /** More `rpc` settings for the config file (e.g. `upstream`). */
  readonly rpc?: Record<string, unknown>;
  /** More plugins to load (e.g. `@veilnode/tor`, for a zone the args enable). */
  readonly plugins?: readonly string[];
}

/**
 * A veilnode composed as the CLI composes it from a config file (not started): clearnet only,
 * with one exclusive peer, p2p on loopback, RPC on a free loopback port, warn-level logs.
 */
export async function composeClearnetNode(options: ClearnetNodeOptions): Promise<{ prepared: PreparedNode; veilnode: Veilnode }> {
  const configFile = join(options.dir, 'node.json5');
  await writeFile(
    configFile,
    JSON.stringify({
      plugins: ['@veilnode/clearnet', ...(options.plugins ?? [])],
      network: 'regtest',
      dataDir: join(options.dir, 'node'),
      log: { level: 'warn' },
      p2p: { bindIp: '127.0.0.1', bindPort: options.p2pPort },
      rpc: { bindIp: '127.0.0.1', bindPort: 0, ...options.rpc },
      zones: { clearnet: { enabled: true, transport: 'clearnet', exclusivePeers: [options.exclusivePeer] } },
    }),
  );
  return createNode({ argv: ['--config', configFile, ...(options.args ?? [])], cwd: options.dir, createLogger: () => options.logger, options: options.compose });
}
