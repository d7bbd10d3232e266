import { expect } from 'chai';
import { VeilnodeError } from '../../src/api/errors';
import { parseCommandLine } from '../../src/config/command-line';
import { prepareNode, type PreparedNode } from '../../src/node/prepare-node';
import { EMPTY_DEFAULT_CONFIG, tempDir, writeConfig } from './fixtures';
import { RecordingLogger } from '../../src/logging/recording-logger';

export interface PrepareOptions {
  readonly argv?: string[];
  readonly env?: Record<string, string>;
}

/** Write `config` to a temp file and run the real two-phase start-up on it (empty embedded default). */
export async function prepareFromConfig(config: Record<string, unknown>, options: PrepareOptions = {}): Promise<PreparedNode & { log: RecordingLogger }> {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeConfig(dir, { dataDir: `${dir}/data`, ...config });
    const log = new RecordingLogger();
    const prepared = await prepareNode({
      commandLine: parseCommandLine(['--config', file, ...(options.argv ?? [])]),
      env: options.env ?? {},
      cwd: dir,
      defaultConfigFile: EMPTY_DEFAULT_CONFIG,
      createLogger: () => log,
    });
    return { ...prepared, log };
  } finally {
    cleanup();
  }
}

/** The typed error start-up fails with. */
export async function prepareError(config: Record<string, unknown>, options: PrepareOptions = {}): Promise<VeilnodeError> {
  try {
    await prepareFromConfig(config, options);
  } catch (error) {
    expect(error).to.be.instanceOf(VeilnodeError);
    return error as VeilnodeError;
  }
  throw new Error('expected start-up to fail');
}
