import { anonymityZonePolicy, ConfigError, InvalidAddressError, ZONE_TOR, type Plugin, type PluginContext, type ZoneConfig, type ZoneDefinition } from '@veilnode/plugin-api';
import { OnionV3Codec } from './onion-v3-codec';
import { readTorConfig, torConfigSchema } from './tor-config';
import { DEFAULT_TOR_PROXY, TorTransport } from './tor-transport';

/** The Tor zone: onion v3 addresses and monerod's anonymity-zone rules, limits from config. */
export function torZoneDefinition(zone: ZoneConfig | undefined, seeds: readonly string[]): ZoneDefinition {
  const limits = zone ? { defaultMaxOutbound: zone.maxOutbound, defaultMaxInbound: zone.inbound?.max ?? zone.maxInbound } : {};
  return Object.freeze({ name: ZONE_TOR, codec: new OnionV3Codec(), policy: anonymityZonePolicy(ZONE_TOR, limits), seeds: Object.freeze([...seeds]) });
}

/** Every onion in the zone's config must be valid; the error names the key and the reason. */
function validateZoneAddresses(zone: ZoneConfig, codec: OnionV3Codec): void {
  const lists: Array<[string, readonly string[]]> = [
    ['peers', zone.peers],
    ['exclusivePeers', zone.exclusivePeers],
    ['seeds', zone.seeds],
  ];
  for (const [key, list] of lists) {
    list.forEach((text, i) => {
      try {
        codec.parse(text);
      } catch (err) {
        const reason = err instanceof InvalidAddressError ? String(err.context.reason) : String(err);
        throw new ConfigError(`zones.${zone.name}.${key}[${i}] ${JSON.stringify(text)}: ${reason}`, { path: `zones.${zone.name}.${key}[${i}]`, reason });
      }
    });
  }
}

/** Fresh SOCKS credentials, and so a circuit of its own, for any dial that asks, unless the proxy has fixed credentials. */
function torFreshIdentity(zone: ZoneConfig): boolean {
  return !(zone.proxy ?? DEFAULT_TOR_PROXY).hasCredentials;
}

export const torPlugin: Plugin = {
  name: 'tor',
  version: '0.1.0',
  coreApi: '^2.0.0',
  configSchema: torConfigSchema,
  register(context: PluginContext): void {
    const settings = readTorConfig(context.config());
    const zone = context.zoneConfig(ZONE_TOR);
    if (zone) validateZoneAddresses(zone, new OnionV3Codec());
    context.registerZone(torZoneDefinition(zone, settings.seeds[context.network]));
    context.registerTransport({ name: 'tor', zone: ZONE_TOR, create: (transportContext) => new TorTransport(transportContext), freshIdentity: torFreshIdentity });
    context.logger.debug({ control: settings.control !== null, isolation: settings.isolation }, 'tor plugin registered');
  },
};
