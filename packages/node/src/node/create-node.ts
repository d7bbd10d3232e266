import type { Logger } from '@veilnode/plugin-api';
import type { NodeConfig } from '../config/core-schema';
import { composeNode, type VeilnodeOptions } from './compose-node';
import { parseWithPluginOptions } from './parse-with-plugin-options';
import { prepareNode, type PreparedNode } from './prepare-node';
import type { Veilnode } from './veilnode';

export interface CreateNodeInputs {
  /** The command line as the CLI takes it (`--config FILE`, monerod's options...). */
  readonly argv: readonly string[];
  /** The environment the config reads (`VEILNODE_*`); none when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where relative paths on the command line resolve from. */
  readonly cwd: string;
  /** Replaces the embedded default config file. */
  readonly defaultConfigFile?: string;
  /** Builds the root logger once the config (and so the log level) is known. */
  readonly createLogger: (config: NodeConfig) => Logger;
  readonly options?: VeilnodeOptions;
}

export interface CreatedNode {
  /** The validated config, the registered plugins and the bound zones the node was built from. */
  readonly prepared: PreparedNode;
  /** The node, composed and not started. */
  readonly veilnode: Veilnode;
}

/**
 * Builds a node as the CLI does (config layers, plugins loaded and registered, zones bound, the
 * peer layer, relay engine and RPC composed) without starting it: the embedding entry for tests
 * and tools.
 */
export async function createNode(inputs: CreateNodeInputs): Promise<CreatedNode> {
  const prepared = await prepareNode({
    commandLine: await parseWithPluginOptions(inputs.argv, inputs.cwd, inputs.defaultConfigFile),
    env: inputs.env ?? {},
    cwd: inputs.cwd,
    defaultConfigFile: inputs.defaultConfigFile,
    createLogger: inputs.createLogger,
  });
  return { prepared, veilnode: composeNode(prepared, inputs.options) };
}
