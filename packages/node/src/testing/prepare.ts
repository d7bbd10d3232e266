import { VeilnodeError } from '@veilnode/plugin-api';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import type { VeilnodeOptions } from '../node/compose-node';
import { createNode, type CreatedNode, type CreateNodeInputs } from '../node/create-node';
import { parseWithPluginOptions } from '../node/parse-with-plugin-options';
import { prepareNode, type PreparedNode } from '../node/prepare-node';
import { EMPTY_DEFAULT_CONFIG, tempDir, writeConfig } from './fixtures';

export interface PrepareOptions {
  readonly argv?: string[];
  readonly env?: Record<string, string>;
}

export interface CreateOptions extends PrepareOptions {
  readonly compose?: VeilnodeOptions;
}

/** Write `config` to a temp file and run the real two-phase start-up on it (empty embedded default). */
export function prepareFromConfig(config: Record<string, unknown>, options: PrepareOptions = {}): Promise<PreparedNode & { log: RecordingLogger }> {
  return fromConfigFile(config, options, async (inputs) => prepareNode({ ...inputs, commandLine: await parseWithPluginOptions(inputs.argv, inputs.cwd, inputs.defaultConfigFile) }));
}

/** As prepareFromConfig, then composed by createNode as the CLI composes it (not started). */
export function createFromConfig(config: Record<string, unknown>, options: CreateOptions = {}): Promise<CreatedNode & { log: RecordingLogger }> {
  return fromConfigFile(config, options, (inputs) => createNode({ ...inputs, options: options.compose }));
}

/** The typed error start-up fails with. */
export async function prepareError(config: Record<string, unknown>, options: PrepareOptions = {}): Promise<VeilnodeError> {
  try {
    await prepareFromConfig(config, options);
  } catch (error) {
    if (error instanceof VeilnodeError) return error;
    throw new Error(`expected a VeilnodeError, start-up failed with ${String(error)}`, { cause: error });
  }
  throw new Error('expected start-up to fail');
}

async function fromConfigFile<T>(
  config: Record<string, unknown>,
  options: PrepareOptions,
  build: (inputs: Required<Omit<CreateNodeInputs, 'options'>>) => Promise<T>,
): Promise<T & { log: RecordingLogger }> {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeConfig(dir, { dataDir: `${dir}/data`, ...config });
    const log = new RecordingLogger();
    const built = await build({
      argv: ['--config', file, ...(options.argv ?? [])],
      env: options.env ?? {},
      cwd: dir,
      defaultConfigFile: EMPTY_DEFAULT_CONFIG,
      createLogger: () => log,
    });
    return { ...built, log };
  } finally {
    cleanup();
  }
}
