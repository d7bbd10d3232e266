import type { ZoneConfig } from '../zone';

/**
 * For tests (the node's, and plugin authors' through @veilnode/compliance): a zone's validated config
 * with nothing configured, its transport named like the zone; tests override what they need.
 */
export function testZoneConfig(overrides: Partial<ZoneConfig> & Pick<ZoneConfig, 'name'>): ZoneConfig {
  return {
    enabled: true,
    transport: overrides.name,
    proxy: null,
    maxOutbound: 12,
    maxInbound: 64,
    noise: false,
    inbound: null,
    peers: [],
    exclusivePeers: [],
    seeds: [],
    ...overrides,
  };
}
