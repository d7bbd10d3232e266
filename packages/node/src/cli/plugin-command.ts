import type { Writable } from 'node:stream';
import { ConfigError, type PluginCommand, type PluginCommandContext } from '@veilnode/plugin-api';
import { CORE_COMMANDS } from '../config/command-line';
import type { PreparedNode } from '../node/prepare-node';

/** The command named `name` among the loaded plugins', with its owner; a ConfigError listing every command when none has that name. */
export function findPluginCommand(prepared: PreparedNode, name: string): { command: PluginCommand; plugin: string } {
  const all = prepared.plugins.flatMap(({ plugin }) => (plugin.commands ?? []).map((command) => ({ command, plugin: plugin.name })));
  const owners = all.filter((c) => c.command.name === name);
  if (owners.length > 1) {
    throw new ConfigError(`command ${JSON.stringify(name)} is defined by several plugins: ${owners.map((o) => o.plugin).join(', ')}`, { argument: name });
  }
  if (owners.length === 0) {
    const known = [...CORE_COMMANDS, ...all.map((c) => c.command.name)].join(', ');
    throw new ConfigError(`unknown command ${JSON.stringify(name)} (commands: ${known})`, { argument: name });
  }
  return owners[0];
}

/** What a plugin command sees: its plugin's settings and data dir, never the node's internals. */
export function pluginCommandContext(prepared: PreparedNode, plugin: string, io: { stdout: Writable; stderr: Writable }): PluginCommandContext {
  return {
    stdout: io.stdout,
    stderr: io.stderr,
    network: prepared.config.network,
    config: <T>() => (prepared.config[plugin] ?? {}) as T,
    dataDir: () => prepared.pluginRuntime.pluginDir(plugin),
  };
}
