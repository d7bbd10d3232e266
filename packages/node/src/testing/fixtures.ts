import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSON5 from 'json5';

/** This package's test/fixtures, from the compiled location dist/src/testing. */
export const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures');
export const PLUGIN_FIXTURES = path.join(FIXTURES, 'plugins');
export const EMPTY_DEFAULT_CONFIG = path.join(FIXTURES, 'config', 'empty-default.json5');

export function pluginFixture(file: string): string {
  return path.join(PLUGIN_FIXTURES, file);
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'veilnode-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write a JSON5 config file into `dir` and return its path. */
export function writeConfig(dir: string, config: Record<string, unknown>, name = 'veilnode.json5'): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON5.stringify(config, null, 2));
  return file;
}
