import type { ConfigError, ZoneDefinition } from '@veilnode/plugin-api';
import { flagError, type FlagSetting } from './command-line';
import type { NodeConfig } from './core-schema';
import type { RawZoneSettings } from './zone-settings';

/** The zone list a peer flag adds to (`zones.<zone>.<field>`). */
export type PeerListField = 'peers' | 'exclusivePeers' | 'seeds';

/** One `--add-peer`-like flag as given: its address is routed to a zone once the zones' codecs are known. */
export interface PeerFlag {
  readonly flag: string;
  readonly field: PeerListField;
  readonly address: string;
}

/**
 * `--add-peer`, `--add-exclusive-node`, `--add-priority-node` and `--seed-node` addresses routed
 * to the zone whose codec claims them, so a plugin's zone is named the same way as Tor's or
 * I2P's. Every registered zone is asked except those the config turns off (`enabled: false`).
 * Repeated flags accumulate into one list per zone and field, in order; each list replaces the
 * config file's. An address no zone claims, or that two zones claim, is a ConfigError naming
 * the flag. The claiming zone's codec parses the address later, with the zone's other peers.
 */
export function routePeerFlags(flags: readonly PeerFlag[], zones: readonly ZoneDefinition[], settings: NodeConfig['zones']): FlagSetting[] {
  const asked = zones.filter((zone) => settings[zone.name]?.enabled !== false);
  const lists = new Map<string, { addresses: string[]; flag: string }>();
  for (const { flag, field, address } of flags) {
    const claiming = asked.filter(({ codec }) => codec.claims(address)).map(({ name }) => name);
    if (claiming.length !== 1) throw unrouted(flag, address, claiming, asked);
    const path = `zones.${claiming[0]}.${field}`;
    const list = lists.get(path) ?? { addresses: [], flag };
    list.addresses.push(address);
    lists.set(path, list);
  }
  return [...lists].map(([path, { addresses, flag }]) => ({ path, value: addresses, flag }));
}

/** The config with the routed peer lists in place of the file's lists of those zones and fields. */
export function withPeerLists(config: NodeConfig, lists: readonly FlagSetting[]): NodeConfig {
  const zones: Record<string, RawZoneSettings> = { ...config.zones };
  for (const { path, value } of lists) {
    const [, zone, field] = path.split('.');
    zones[zone] = { ...zones[zone], [field]: value };
  }
  return { ...config, zones };
}

function unrouted(flag: string, address: string, claiming: readonly string[], asked: readonly ZoneDefinition[]): ConfigError {
  const rule =
    claiming.length === 0
      ? `no enabled zone claims this address (zones: ${asked.map((z) => z.name).join(', ') || 'none'})`
      : `zones ${claiming.join(' and ')} both claim this address (their plugins' address codecs overlap)`;
  return flagError(flag, address, rule);
}
