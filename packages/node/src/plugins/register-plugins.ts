import { PluginError, type Logger } from '@veilnode/plugin-api';
import type { NodeConfig } from '../config/core-schema';
import type { RpcMethodRegistry } from '../rpc/rpc-method-registry';
import { PluginContextImpl, type StopHook } from './plugin-context';
import { PluginErrorCode } from './plugin-errors';
import type { LoadedPlugin } from './plugin-loader';
import { PluginRegistry } from './plugin-registry';
import type { PluginRuntime } from './plugin-runtime';

export interface RegisteredPlugins {
  readonly registry: PluginRegistry;
  readonly stopHooks: readonly StopHook[];
}

/**
 * Phase two: call every plugin's register() in config order with the validated config. The
 * first failure stops everything and names the plugin; the node then refuses to start.
 */
export async function registerPlugins(
  plugins: readonly LoadedPlugin[],
  config: NodeConfig,
  rpcMethods: RpcMethodRegistry,
  logger: Logger,
  runtime: PluginRuntime,
): Promise<RegisteredPlugins> {
  const registry = new PluginRegistry();
  const stopHooks: StopHook[] = [];
  for (const loaded of plugins) {
    const name = loaded.plugin.name;
    registry.addPlugin(loaded);
    const context = new PluginContextImpl(name, config, registry, rpcMethods, stopHooks, logger.child({ plugin: name }), runtime);
    try {
      await loaded.plugin.register(context);
    } catch (error) {
      if (error instanceof PluginError && error.context.plugin === name) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new PluginError(PluginErrorCode.RegisterFailed, `plugin ${name} (${loaded.specifier}) failed to register: ${reason}`, { plugin: name, reason }, { cause: error });
    } finally {
      context.seal();
    }
  }
  registry.checkTransportZones();
  return { registry, stopHooks };
}
