import convict from 'convict';
import { ConfigError, PluginError } from '@veilnode/plugin-api';
import type { FlagSetting } from './command-line';
import { isPlainObject, mergeConfig, type ConfigObject } from './config-files';
import { coreSchema, type NodeConfig } from './core-schema';
import { registerCoreFormats } from './formats';
import { rpcExposureProblems } from './rpc-exposure';
import { rpcZoneProblems } from './rpc-zones';
import { validateZoneEntries } from './zone-settings';

/** A plugin's config fragment, mounted at the top level under the plugin's name. */
export interface SchemaFragment {
  readonly plugin: string;
  readonly schema: Record<string, unknown>;
}

export interface ConfigInputs {
  /** Merged file layers (default, then --config FILE). */
  readonly files: ConfigObject;
  /** Settings from command-line flags (highest precedence). */
  readonly flags: readonly FlagSetting[];
  /** Environment, injected (never read from process.env here). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fragments: readonly SchemaFragment[];
}

/** The configuration's values as layered (even where invalid) and its problems, each naming its source. */
export interface CheckedConfig {
  readonly config: NodeConfig;
  readonly problems: readonly string[];
}

/**
 * One strict validation of the whole configuration: core schema plus every plugin fragment,
 * layered file < env < flags (convict's order). Every unknown key and every wrong value is
 * reported in one ConfigError, each with its path and, when it came from a flag or an
 * environment variable, where it came from.
 */
export function buildConfig(inputs: ConfigInputs): NodeConfig {
  const { config, problems } = checkConfig(inputs);
  if (problems.length > 0) throw invalidConfiguration(problems);
  return config;
}

/** buildConfig's pass without the throw, for a caller that adds problems of its own first. */
export function checkConfig(inputs: ConfigInputs): CheckedConfig {
  registerCoreFormats();
  const schema = coreSchema();
  for (const { plugin, schema: fragment } of inputs.fragments) {
    checkFragment(plugin, fragment);
    schema[plugin] = fragment;
  }

  // `zones` is one convict leaf (open-ended object), so convict would replace it wholesale:
  // zone flags are merged into the file layer instead. Zones have no environment variables,
  // so this keeps file < flags.
  const zoneFlags = inputs.flags.filter((s) => s.path.startsWith('zones.'));
  const otherFlags = inputs.flags.filter((s) => !s.path.startsWith('zones.'));
  const files = mergeConfig(inputs.files, nestSettings(zoneFlags));

  const env = Object.fromEntries(Object.entries(inputs.env).filter((e): e is [string, string] => e[1] !== undefined));
  const config = convict(schema as convict.Schema<ConfigObject>, { env, args: [] });
  const problems: string[] = [];
  try {
    config.load(files);
  } catch (error) {
    problems.push((error as Error).message);
  }
  // set() after load: load() re-applies env, so flags must come last to win over it.
  for (const setting of otherFlags) config.set(setting.path, setting.value);

  try {
    config.validate({ allowed: 'strict' });
  } catch (error) {
    problems.push(...(error as Error).message.split('\n').map(rewriteConvictLine));
  }
  const properties = config.getProperties() as ConfigObject;
  problems.push(...validateZoneEntries(properties.zones));
  problems.push(...rpcZoneProblems((properties.rpc as ConfigObject | undefined)?.zones));
  if (!problems.some((p) => p.startsWith('rpc.'))) problems.push(...rpcExposureProblems((properties as unknown as NodeConfig).rpc));

  const sources = settingSources(schema, env, inputs.flags);
  return { config: properties as unknown as NodeConfig, problems: problems.map((p) => annotate(p, sources)) };
}

/** The one error listing every problem of a configuration. */
export function invalidConfiguration(problems: readonly string[]): ConfigError {
  return new ConfigError(`invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  - ${problems.join('\n  - ')}`, {
    problems: [...problems],
  });
}

/** A fragment convict cannot even compile (unknown format, reserved word) is the plugin's fault. */
function checkFragment(plugin: string, fragment: Record<string, unknown>): void {
  try {
    convict({ [plugin]: fragment } as convict.Schema<ConfigObject>, { env: {}, args: [] });
  } catch (error) {
    throw new PluginError('PLUGIN_SCHEMA_INVALID', `plugin ${plugin} has an invalid configSchema: ${(error as Error).message}`, { plugin }, { cause: error });
  }
}

function nestSettings(settings: readonly FlagSetting[]): ConfigObject {
  const root: ConfigObject = {};
  for (const { path, value } of settings) {
    const keys = path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) {
      if (!isPlainObject(node[key])) node[key] = {};
      node = node[key] as ConfigObject;
    }
    node[keys[keys.length - 1]] = value;
  }
  return root;
}

const UNDECLARED = /^configuration param '([^']+)' not declared in the schema$/;

function rewriteConvictLine(line: string): string {
  const m = UNDECLARED.exec(line);
  return m ? `${m[1]}: unknown key (not in the core schema or any loaded plugin's schema)` : line;
}

/** path → "--flag" or "env NAME" for every value that did not come from a file. */
function settingSources(schema: Record<string, unknown>, env: Record<string, string>, flags: readonly FlagSetting[]): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [key, child] of Object.entries(node)) {
      if (!isPlainObject(child)) continue;
      const path = prefix ? `${prefix}.${key}` : key;
      if ('default' in child) {
        if (typeof child.env === 'string' && env[child.env] !== undefined) sources.set(path, `env ${child.env}`);
      } else {
        walk(child, path);
      }
    }
  };
  walk(schema, '');
  for (const flag of flags) sources.set(flag.path, flag.flag);
  return sources;
}

/**
 * A later check's ConfigError (zone binding, once plugins have registered) with each problem
 * naming the flag that set its value, as buildConfig's own problems do.
 */
export function withFlagSources(error: ConfigError, flags: readonly FlagSetting[]): ConfigError {
  const problems = error.context.problems;
  if (!Array.isArray(problems) || flags.length === 0) return error;
  const annotated = withZoneFlagSources(problems as string[], flags);
  const header = error.message.slice(0, error.message.indexOf(':\n'));
  return new ConfigError(`${header}:\n  - ${annotated.join('\n  - ')}`, { ...error.context, problems: annotated }, { cause: error });
}

/** Zone problems, each naming the flag that set its value or brought its zone into being. */
export function withZoneFlagSources(problems: readonly string[], flags: readonly FlagSetting[]): string[] {
  const sources = new Map(flags.map((f) => [f.path, f.flag]));
  // A zone a flag brought into being (--add-exclusive-node x.b32.i2p) is that flag's doing.
  for (const f of flags) {
    const zone = /^zones\.[^.]+/.exec(f.path)?.[0];
    if (zone !== undefined && !sources.has(zone)) sources.set(zone, f.flag);
  }
  return problems.map((p) => annotate(p, sources));
}

/**
 * A plugin's refusal to register because of one config value (its ConfigError with the value's
 * path as cause) naming the flag that set that value; any other error is returned as it is.
 */
export function withRefusedFlag(error: unknown, flags: readonly FlagSetting[]): unknown {
  if (!(error instanceof PluginError) || !(error.cause instanceof ConfigError)) return error;
  const path = error.cause.context.path;
  if (typeof path !== 'string') return error;
  const [named] = withZoneFlagSources([`${path}:`], flags);
  if (named === `${path}:`) return error;
  return new PluginError(error.code, `${error.message}${named.slice(path.length + 1)}`, { ...error.context, plugin: String(error.context.plugin) }, { cause: error.cause });
}

function annotate(problem: string, sources: Map<string, string>): string {
  const path = problem.slice(0, problem.indexOf(':')).replace(/\[\d+\]/g, '');
  // A zone problem's path may be deeper than the flag's (zones.tor.inbound.bind vs zones.tor.inbound).
  for (let p = path; p.length > 0; p = p.slice(0, Math.max(p.lastIndexOf('.'), 0))) {
    const source = sources.get(p);
    if (source !== undefined) return `${problem} (from ${source})`;
  }
  return problem;
}
