import { ConfigError } from '@veilnode/plugin-api';
import type { NodeConfig } from '../config/core-schema';
import { bindZones } from '../plugins/zone-bindings';
import { createLogger } from '../logging/create-logger';
import type { LoadedPlugin } from '../plugins/plugin-loader';
import { PluginRuntime } from '../plugins/plugin-runtime';
import { registerPlugins } from '../plugins/register-plugins';
import { RpcMethodRegistry } from '../rpc/rpc-method-registry';

/**
 * The zone problems (a `transport` typo, an unknown zone, a peer the zone's codec refuses) of a
 * configuration that already failed validation, so the operator reads them in the same error as
 * the others instead of after fixing those. Zones and transports are known only once plugins
 * have registered, so every plugin registers once more on a scratch registry, with the
 * unvalidated values; what they contribute is thrown away (register() does no I/O, see
 * PLUGINS.md). When some plugin cannot register with these values nothing can be judged and
 * no problem is returned: the zone check after a valid configuration still reports them.
 */
export async function probeZoneProblems(plugins: readonly LoadedPlugin[], config: NodeConfig, userZones: ReadonlySet<string>, dataDir: string): Promise<string[]> {
  try {
    const silent = createLogger({ level: 'silent', pretty: false });
    const { registry } = await registerPlugins(plugins, config, new RpcMethodRegistry(), silent, new PluginRuntime(dataDir));
    bindZones(config, registry, userZones);
    return [];
  } catch (error) {
    const problems = error instanceof ConfigError ? error.context.problems : undefined;
    return Array.isArray(problems) ? problems.map(String) : [];
  }
}
