import { ConfigError } from '@veilnode/plugin-api';
import type { NodeConfig } from '../config/core-schema';
import { withZoneFlagSources } from '../config/build-config';
import { routePeerFlags, withPeerLists, type PeerFlag } from '../config/peer-flags';
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
 * Peer flags (`--add-peer`...) are routed by the scratch zones' codecs as after a valid
 * configuration, and a problem they cause names its flag.
 */
export async function probeZoneProblems(plugins: readonly LoadedPlugin[], config: NodeConfig, userZones: ReadonlySet<string>, dataDir: string, peerFlags: readonly PeerFlag[] = []): Promise<string[]> {
  let lists: ReturnType<typeof routePeerFlags> = [];
  try {
    const silent = createLogger({ level: 'silent', pretty: false });
    const { registry } = await registerPlugins(plugins, config, new RpcMethodRegistry(), silent, new PluginRuntime(dataDir));
    lists = routePeerFlags(peerFlags, [...registry.zones().values()].map((z) => z.definition), config.zones);
    const zones = new Set([...userZones, ...lists.map((l) => l.path.split('.')[1])]);
    bindZones(withPeerLists(config, lists), registry, zones);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) return [];
    const problems = error.context.problems;
    return withZoneFlagSources(Array.isArray(problems) ? problems.map(String) : [error.message], lists);
  }
}
