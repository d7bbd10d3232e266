import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { ConfigError } from '@veilnode/plugin-api';

export type ConfigObject = Record<string, unknown>;

/**
 * The embedded default config: `config/default.json5` in the nearest folder above this module
 * that has one. In a clone that is the repository's `config/` folder, next to the commented
 * examples; a packed package carries its own copy (`prepack` puts it in the package's `config/`),
 * so an installed `veilnode` bin finds it without the repository.
 */
export function defaultConfigPath(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'config', 'default.json5');
    if (existsSync(file) || path.dirname(dir) === dir) return file;
  }
}

/** Parse a JSON5 config file into a plain object; every failure names the file. */
export function readConfigFile(file: string): ConfigObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(`cannot read config file ${file}: ${reason}`, { file, reason }, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON5.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON5: ${(error as Error).message}`, { file }, { cause: error });
  }
  if (!isPlainObject(parsed)) throw new ConfigError(`config file ${file} must contain an object at the top level`, { file });
  return parsed;
}

export function isPlainObject(value: unknown): value is ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of config layers: objects merge key by key; arrays and scalars of `over` replace. */
export function mergeConfig(base: ConfigObject, over: ConfigObject): ConfigObject {
  const out: ConfigObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (key === '__proto__' || key === 'constructor') continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeConfig(current, value) : value;
  }
  return out;
}

/** The file layers of a node's configuration: embedded default, then `--config FILE`. */
export interface ConfigFiles {
  readonly merged: ConfigObject;
  /** Directory relative plugin paths resolve from: that of the file whose `plugins` list wins. */
  readonly pluginBaseDir: string;
  readonly defaultFile: string;
  readonly userFile: string | undefined;
  /** Zones the user's file names under `zones` (the embedded default's zones are not the user's). */
  readonly userZones: ReadonlySet<string>;
}

export function readConfigFiles(userFile: string | undefined, cwd: string, defaultFile = defaultConfigPath()): ConfigFiles {
  const defaults = readConfigFile(defaultFile);
  if (userFile === undefined) return { merged: defaults, pluginBaseDir: path.dirname(defaultFile), defaultFile, userFile, userZones: new Set() };
  const absolute = path.resolve(cwd, userFile);
  const user = readConfigFile(absolute);
  return {
    merged: mergeConfig(defaults, user),
    pluginBaseDir: path.dirname('plugins' in user ? absolute : defaultFile),
    defaultFile,
    userFile: absolute,
    userZones: new Set(isPlainObject(user.zones) ? Object.keys(user.zones) : []),
  };
}
