import { ConfigError, type ZoneConfig } from '@veilnode/plugin-api';
import type { PluginRegistry } from './plugin-registry';
import type { NodeConfig } from '../config/core-schema';
import { resolveZoneConfig } from '../config/zone-settings';

/**
 * The last validation step, once plugins have registered: every enabled `zones.<name>` entry
 * must name a registered zone; every enabled zone must be served by a registered transport of that zone
 * (chosen explicitly in config when several could — never first match), and its peers must
 * parse with the zone's codec. All problems are reported at once.
 *
 * `userZones` are the zones the user's file or flags name; an entry only the embedded default
 * enables is skipped when no loaded plugin registers its zone.
 *
 * Returns the resolved settings of every enabled zone, in config order.
 */
export function bindZones(config: NodeConfig, registry: PluginRegistry, userZones: ReadonlySet<string> = new Set(Object.keys(config.zones))): ZoneConfig[] {
  const problems: string[] = [];
  const enabled: ZoneConfig[] = [];
  const known = [...registry.zones().keys()];
  for (const [name, raw] of Object.entries(config.zones)) {
    const zone = registry.zone(name);
    if (zone === undefined) {
      // A disabled entry for a zone no loaded plugin provides is harmless (e.g. the default
      // config's `kovri: {enabled: false}` when the kovri plugin is not listed).
      if (raw.enabled === false) continue;
      // The embedded default enables clearnet for `npm start`; a user whose own plugin list leaves
      // that plugin out has not asked for the zone. A zone the user names must be served.
      if (!userZones.has(name)) continue;
      problems.push(`zones.${name}: unknown zone ${name} (zones registered by the loaded plugins: ${known.join(', ') || 'none'})`);
      continue;
    }
    const serving = [...registry.transports().values()].filter((t) => t.definition.zone === name).map((t) => t.definition.name);
    // Unnamed transport: the one named like the zone, else the only one serving it. Never a guess between several.
    const implied = raw.transport ?? (registry.transport(name) !== undefined || serving.length !== 1 ? undefined : serving[0]);
    if (raw.maxConnectionsPerIp !== undefined && zone.definition.policy.anonymity) {
      problems.push(`zones.${name}.maxConnectionsPerIp: does not apply to an anonymity zone (its inbound peers all arrive from the local Tor/I2P daemon's address); use maxInbound`);
    }
    const resolved = resolveZoneConfig(name, { ...raw, transport: implied }, zone.definition.policy, config.p2p, zone.definition.seeds);
    if (!resolved.enabled) continue;
    const transport = registry.transport(resolved.transport);
    if (transport === undefined && raw.transport === undefined && serving.length > 1) {
      problems.push(`zones.${name}.transport: transports ${serving.join(', ')} all serve zone ${name}; choose one: ${transportChoiceHint(name)}`);
      continue;
    }
    if (transport === undefined) {
      problems.push(`zones.${name}.transport: no transport named ${resolved.transport} is registered (transports serving zone ${name}: ${serving.join(', ') || 'none'})`);
      continue;
    }
    if (transport.definition.zone !== name) {
      problems.push(`zones.${name}.transport: transport ${resolved.transport} serves zone ${transport.definition.zone}, not ${name}`);
      continue;
    }
    for (const field of ['peers', 'exclusivePeers', 'seeds'] as const) {
      resolved[field].forEach((address, i) => {
        try {
          zone.definition.codec.parse(address);
        } catch (error) {
          problems.push(`zones.${name}.${field}[${i}]: ${(error as Error).message}`);
        }
      });
    }
    // Our own onion/b32 address: its transport parses it with the same codec when the zone starts,
    // which would be too late to report it with the other problems.
    if (resolved.inbound !== null && zone.definition.policy.anonymity) {
      try {
        zone.definition.codec.parse(resolved.inbound.address);
      } catch (error) {
        problems.push(`zones.${name}.inbound.address: ${(error as Error).message}`);
      }
    }
    enabled.push(resolved);
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid zone configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  - ${problems.join('\n  - ')}`, { problems });
  }
  return enabled;
}

/** How an operator picks the transport of a zone several serve (monerod's flags first). */
function transportChoiceHint(zone: string): string {
  const sam = zone === 'i2p' ? ' or --i2p-sam IP:PORT' : '';
  return `add --tx-proxy ${zone},IP:PORT${sam}, or set zones.${zone}.transport`;
}
