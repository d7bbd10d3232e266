import { parseCommandLine, type CommandLine } from '../config/command-line';
import { readConfigFiles } from '../config/config-files';
import { loadListedPlugins } from '../plugins/plugin-loader';
import { pluginFlags } from '../plugins/plugin-options';

/**
 * The command line parsed with the options of the plugins the config files list. Those options
 * are known only once the plugin modules are loaded, and which modules load depends on
 * `--config FILE`, so that one option is looked up first.
 */
export async function parseWithPluginOptions(argv: readonly string[], cwd: string, defaultConfigFile?: string): Promise<CommandLine> {
  const files = readConfigFiles(configFileArgument(argv), cwd, defaultConfigFile);
  const plugins = await loadListedPlugins(files);
  return parseCommandLine(argv, pluginFlags(plugins.map((p) => p.plugin)));
}

/** `--config FILE` or `--config=FILE`; the parser itself rejects a malformed one. */
function configFileArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config') return argv[i + 1];
    if (argv[i].startsWith('--config=')) return argv[i].slice('--config='.length);
  }
  return undefined;
}
