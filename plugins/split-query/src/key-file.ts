import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SplitQueryError, SplitQueryErrorCode } from './errors';

/**
 * JSON files holding secret keys: written 0600 (atomically, via a temp file), read with a typed
 * error naming the file, never the content.
 */
export function readKeyFile(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SplitQueryError(SplitQueryErrorCode.KeyFileInvalid, `key file ${file} is not valid JSON`, { file }, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SplitQueryError(SplitQueryErrorCode.KeyFileInvalid, `key file ${file} must hold a JSON object`, { file });
  }
  return parsed as Record<string, unknown>;
}

export function writeKeyFile(file: string, content: Record<string, unknown>): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

/** A 32-byte secret stored as 64 hex digits under `field`. */
export function secretField(file: string, content: Record<string, unknown>, field: string): Uint8Array {
  const value = content[field];
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    throw new SplitQueryError(SplitQueryErrorCode.KeyFileInvalid, `key file ${file}: ${field} must be 64 lower-case hex digits`, { file, field });
  }
  return Uint8Array.from(Buffer.from(value, 'hex'));
}
