import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, PluginError, CORE_API_VERSION, type Plugin } from '@veilnode/plugin-api';
import type { ConfigFiles } from '../config/config-files';
import { CORE_CONFIG_KEYS } from '../config/core-schema';
import { PluginErrorCode } from './plugin-errors';
import { optionProblems } from './plugin-options';
import { parseRange, satisfies } from './semver-range';

/** A plugin module that passed every load-time check, with where it came from. */
export interface LoadedPlugin {
  readonly plugin: Plugin;
  /** The entry as written in the config's `plugins` list. */
  readonly specifier: string;
  /** The file it was loaded from. */
  readonly source: string;
}

export const PLUGIN_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

/**
 * Phase one of plugin loading: resolve and import every module in config order, and check each
 * is a plugin compatible with this core, uniquely named, and not named like a core config key.
 * Nothing is registered yet: that needs the validated config, which needs these plugins' schemas.
 */
export async function loadPluginModules(
  specifiers: readonly string[],
  baseDir: string,
  reservedNames: readonly string[],
): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  for (const specifier of specifiers) {
    const source = resolvePluginModule(specifier, baseDir);
    const plugin = checkPluginShape(await importModule(specifier, source), specifier, source);
    const label = `${plugin.name}@${plugin.version} (${specifier})`;
    if (!satisfies(CORE_API_VERSION, plugin.coreApi)) {
      throw new PluginError(
        PluginErrorCode.ApiIncompatible,
        `plugin ${label} targets core API ${plugin.coreApi}, but this core implements ${CORE_API_VERSION}`,
        { plugin: plugin.name, coreApi: plugin.coreApi, coreApiVersion: CORE_API_VERSION, source },
      );
    }
    if (reservedNames.includes(plugin.name)) {
      throw new PluginError(
        PluginErrorCode.ReservedName,
        `plugin ${label} is named ${JSON.stringify(plugin.name)}, which is a core config key (reserved: ${reservedNames.join(', ')})`,
        { plugin: plugin.name, source },
      );
    }
    const twin = loaded.find((l) => l.plugin.name === plugin.name);
    if (twin !== undefined) {
      throw new PluginError(
        PluginErrorCode.DuplicateName,
        `plugin name ${plugin.name} is used twice: by ${twin.specifier} (${twin.source}) and by ${specifier} (${source})`,
        { plugin: plugin.name, sources: [twin.source, source] },
      );
    }
    loaded.push({ plugin, specifier, source });
  }
  return loaded;
}

/** The modules the config files' `plugins` list names, loaded in order (phase one). */
export async function loadListedPlugins(files: ConfigFiles): Promise<LoadedPlugin[]> {
  const list = files.merged.plugins ?? [];
  if (!Array.isArray(list) || list.some((p) => typeof p !== 'string' || p.length === 0)) {
    throw new ConfigError('plugins: must be an array of module names or paths', { path: 'plugins' });
  }
  return loadPluginModules(list as string[], files.pluginBaseDir, CORE_CONFIG_KEYS);
}

/** Path entries resolve from the config file's directory; package names from there, then from core. */
export function resolvePluginModule(specifier: string, baseDir: string): string {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  const fromConfig = createRequire(path.join(baseDir, 'config.json5'));
  try {
    return fromConfig.resolve(isPath ? path.resolve(baseDir, specifier) : specifier);
  } catch (error) {
    if (!isPath) {
      try {
        return require.resolve(specifier);
      } catch {
        // fall through: report the resolution from the config's directory, which is what users expect
      }
    }
    const where = isPath ? `file ${path.resolve(baseDir, specifier)} does not exist` : `no package ${specifier} is installed (looked from ${baseDir})`;
    throw new PluginError(PluginErrorCode.NotFound, `plugin module ${specifier} not found: ${where}`, { plugin: specifier, baseDir }, { cause: error });
  }
}

async function importModule(specifier: string, source: string): Promise<Record<string, unknown>> {
  try {
    // import() loads ES modules and CommonJS alike; TS keeps it a real import() under module node16.
    return (await import(pathToFileURL(source).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginError(
      PluginErrorCode.LoadFailed,
      `plugin module ${specifier} (${source}) failed to load: ${(error as Error).message}`,
      { plugin: specifier, source },
      { cause: error },
    );
  }
}

/**
 * The plugin a module exports: a named `plugin` export, else the default export. CommonJS
 * compiled from TypeScript puts `exports.default`/`exports.plugin` inside the default, so one
 * more level is unwrapped there.
 */
function pickExport(namespace: Record<string, unknown>): unknown {
  if (namespace.plugin !== undefined) return namespace.plugin;
  const def = namespace.default;
  if (typeof def === 'object' && def !== null && !('register' in def)) {
    const inner = def as Record<string, unknown>;
    if (inner.plugin !== undefined) return inner.plugin;
    if (inner.default !== undefined) return inner.default;
  }
  return def;
}

function commandProblems(commands: unknown): string[] {
  if (!Array.isArray(commands)) return ['commands must be an array of { name, summary, run }'];
  return commands.flatMap((c: unknown, i) => {
    const command = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof command.name !== 'string' || !PLUGIN_NAME_PATTERN.test(command.name)) problems.push(`commands[${i}].name must be lower-case letters, digits and -`);
    if (typeof command.summary !== 'string') problems.push(`commands[${i}].summary must be a string`);
    if (typeof command.run !== 'function') problems.push(`commands[${i}].run must be a function`);
    return problems;
  });
}

function checkPluginShape(namespace: Record<string, unknown>, specifier: string, source: string): Plugin {
  const candidate = pickExport(namespace);
  const problems: string[] = [];
  if (typeof candidate !== 'object' || candidate === null) {
    problems.push('it has neither a default nor a named `plugin` export that is an object');
  } else {
    const p = candidate as Record<string, unknown>;
    if (p.name === undefined) problems.push('name is missing');
    else if (typeof p.name !== 'string' || !PLUGIN_NAME_PATTERN.test(p.name)) problems.push(`name ${JSON.stringify(p.name)} must be lower-case letters, digits and -`);
    if (p.version === undefined) problems.push('version is missing');
    else if (typeof p.version !== 'string' || p.version.length === 0) problems.push('version must be a non-empty string');
    if (p.coreApi === undefined) problems.push('coreApi is missing (a semver range such as ^2.0.0)');
    else if (typeof p.coreApi !== 'string' || parseRange(p.coreApi) === undefined) problems.push(`coreApi ${JSON.stringify(p.coreApi)} is not a semver range (^x.y.z, ~x.y.z, >=x.y.z or x.y.z)`);
    if (p.register === undefined) problems.push('register is missing (a function taking the plugin context)');
    else if (typeof p.register !== 'function') problems.push('register must be a function');
    if (p.configSchema !== undefined && (typeof p.configSchema !== 'object' || p.configSchema === null || Array.isArray(p.configSchema))) {
      problems.push('configSchema must be an object (a convict schema fragment)');
    }
    if (p.commands !== undefined) problems.push(...commandProblems(p.commands));
    if (p.options !== undefined) problems.push(...optionProblems(p.options));
  }
  if (problems.length > 0) {
    throw new PluginError(PluginErrorCode.NotAPlugin, `module ${specifier} (${source}) is not a veilnode plugin: ${problems.join('; ')}`, {
      plugin: specifier,
      source,
      problems,
    });
  }
  return candidate as Plugin;
}
