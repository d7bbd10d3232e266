import type { ZoneConfig } from '@veilnode/plugin-api';
import type { PluginRegistry } from '../plugins/plugin-registry';

/**
 * Whether `zone` gets private-broadcast carriers: an anonymity zone whose transport's definition
 * declares `freshIdentity` for its config (Tor without fixed proxy credentials). Decided from the
 * definitions, before any transport is created, because the relay engine starts before the zones.
 */
export function opensCarriers(registry: PluginRegistry, zone: ZoneConfig): boolean {
  if (registry.zone(zone.name)?.definition.policy.anonymity !== true) return false;
  return registry.transport(zone.transport)?.definition.freshIdentity?.(zone) === true;
}
