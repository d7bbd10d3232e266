import os from 'node:os';
import path from 'node:path';
import { ConfigError, type Logger, type ZoneConfig } from '@veilnode/plugin-api';
import { checkConfig, invalidConfiguration, withFlagSources, withRefusedFlag, withZoneFlagSources } from '../config/build-config';
import type { CommandLine } from '../config/command-line';
import { readConfigFiles, type ConfigFiles } from '../config/config-files';
import { withMonerodConfigFile } from '../config/monerod-config-file';
import type { NodeConfig } from '../config/core-schema';
import { bindZones } from '../plugins/zone-bindings';
import { routePeerFlags, withPeerLists } from '../config/peer-flags';
import type { StopHook } from '../plugins/plugin-context';
import { loadListedPlugins, type LoadedPlugin } from '../plugins/plugin-loader';
import type { PluginRegistry } from '../plugins/plugin-registry';
import { PluginRuntime } from '../plugins/plugin-runtime';
import { registerPlugins } from '../plugins/register-plugins';
import { GET_ZONES } from '../rpc/get-zones-method';
import { BanList, loadBanList } from '../net/ban-list';
import { MONEROD_JSON_RPC_METHODS } from '../rpc/monerod/attach-monerod-rpc';
import { RpcMethodRegistry } from '../rpc/rpc-method-registry';
import { probeZoneProblems } from './zone-problems-probe';

export interface PrepareInputs {
  readonly commandLine: CommandLine;
  /** Injected environment (the CLI passes process.env; tests pass their own). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Overrides the embedded default config file (tests). */
  readonly defaultConfigFile?: string;
  /** Builds the root logger once the config (and so the log level) is known. */
  readonly createLogger: (config: NodeConfig) => Logger;
}

/** A node's fully validated inputs: config, plugins registered, zones bound. Nothing started yet. */
export interface PreparedNode {
  readonly config: NodeConfig;
  readonly files: ConfigFiles;
  readonly dataDir: string;
  readonly plugins: readonly LoadedPlugin[];
  readonly registry: PluginRegistry;
  readonly stopHooks: readonly StopHook[];
  readonly rpcMethods: RpcMethodRegistry;
  /** What plugins reach at run time (the Node attaches to it when it starts). */
  readonly pluginRuntime: PluginRuntime;
  readonly zones: readonly ZoneConfig[];
  readonly logger: Logger;
  /** `p2p.banList` read once here (empty when none is configured): a bad file fails start-up. */
  readonly banList: BanList;
}

/**
 * Two-phase start-up: read the config files, load the plugin modules they list (in order),
 * validate the whole config once with every plugin's schema fragment, register the plugins,
 * then check the zones against what they registered.
 */
export async function prepareNode(inputs: PrepareInputs): Promise<PreparedNode> {
  const commandLine = withMonerodConfigFile(inputs.commandLine, inputs.cwd);
  const files = readConfigFiles(commandLine.configFile, inputs.cwd, inputs.defaultConfigFile);
  const plugins = await loadListedPlugins(files);
  const checked = checkConfig({
    files: files.merged,
    flags: commandLine.settings,
    env: inputs.env,
    fragments: plugins.flatMap(({ plugin }) => (plugin.configSchema === undefined ? [] : [{ plugin: plugin.name, schema: plugin.configSchema }])),
  });
  const userZones = new Set([...files.userZones, ...commandLine.settings.filter((s) => s.path.startsWith('zones.')).map((s) => s.path.split('.')[1])]);
  if (checked.problems.length > 0) {
    const zoneProblems = await probeZoneProblems(plugins, checked.config, userZones, resolveDataDir(String(checked.config.dataDir), inputs.cwd), commandLine.peerFlags ?? []);
    const reported = checked.problems.map(problemPath);
    const fresh = zoneProblems.filter((p) => !reported.some((path) => within(problemPath(p), path)));
    throw invalidConfiguration([...checked.problems, ...withZoneFlagSources(fresh, commandLine.settings)]);
  }
  const config = checked.config;
  const logger = inputs.createLogger(config);
  const banList = config.p2p.banList === null ? new BanList() : await loadBanList(path.resolve(inputs.cwd, config.p2p.banList));
  if (config.p2p.banList !== null) logger.info({ component: 'config', entries: banList.size }, 'ban list loaded');
  for (const notice of commandLine.notices ?? []) logger.info({ component: 'config' }, notice);
  const rpcMethods = new RpcMethodRegistry();
  for (const name of [GET_ZONES, ...MONEROD_JSON_RPC_METHODS]) rpcMethods.reserve(name);
  const dataDir = resolveDataDir(config.dataDir, inputs.cwd);
  const pluginRuntime = new PluginRuntime(dataDir);
  const { registry, stopHooks } = await registerPlugins(plugins, config, rpcMethods, logger, pluginRuntime).catch((error: unknown) => {
    throw withRefusedFlag(error, commandLine.settings);
  });
  // Peer flags need the zones' codecs, so they reach the config only now, after register().
  const peerLists = routePeerFlags(commandLine.peerFlags ?? [], [...registry.zones().values()].map((z) => z.definition), config.zones);
  const flags = [...commandLine.settings, ...peerLists];
  const routed = withPeerLists(config, peerLists);
  for (const setting of peerLists) if (setting.path.startsWith('zones.')) userZones.add(setting.path.split('.')[1]);
  let zones: ZoneConfig[];
  try {
    zones = bindZones(routed, registry, userZones);
  } catch (error) {
    throw error instanceof ConfigError ? withFlagSources(error, flags) : error;
  }
  return { config: routed, files, dataDir, plugins, registry, stopHooks, rpcMethods, pluginRuntime, zones, logger, banList };
}

/** The config path a problem is about (its text before the first colon). */
const problemPath = (problem: string) => problem.slice(0, problem.indexOf(':'));
/** `zones.tor.peers[0]` is within `zones.tor.peers` and `zones.tor`. */
const within = (path: string, outer: string) => path === outer || path.startsWith(`${outer}.`) || path.startsWith(`${outer}[`);

/** `~` and `~/...` expand to the home directory; relative paths resolve from the working directory. */
export function resolveDataDir(dataDir: string, cwd: string, home = os.homedir()): string {
  if (dataDir === '~') return home;
  if (dataDir.startsWith('~/')) return path.join(home, dataDir.slice(2));
  return path.resolve(cwd, dataDir);
}
