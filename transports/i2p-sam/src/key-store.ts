import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@veilnode/plugin-api';
import { DestinationKeys } from './destination-keys';
import { SamBridgeError } from './sam-errors';

/** File name as Bitcoin Core uses it; holds the I2P-base64 private-key blob. */
export const PRIVATE_KEY_FILE = 'i2p_private_key';

/**
 * The persistent destination's keys: generated once, then read back on every start, so the
 * node's `.b32.i2p` address survives restarts. The file is written with mode 0600.
 */
export async function loadOrCreateKeys(dataDir: string): Promise<{ keys: DestinationKeys; created: boolean }> {
  const file = join(dataDir, PRIVATE_KEY_FILE);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SamBridgeError('SAM_KEY_FILE', `cannot read the I2P key file: ${(error as Error).message}`, { file }, { cause: error });
    }
  }
  if (text !== undefined) {
    try {
      return { keys: DestinationKeys.fromPrivate(text), created: false };
    } catch (error) {
      throw new SamBridgeError('SAM_KEY_FILE', `the I2P key file ${file} is corrupt; move it away to get a new address`, { file }, { cause: error });
    }
  }
  const keys = DestinationKeys.generate();
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // whole or absent after a crash or power loss: a torn key file would cost the node its address
  await writeFileAtomic(file, keys.revealPrivate());
  return { keys, created: true };
}
