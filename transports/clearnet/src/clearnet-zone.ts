import { ZONE_CLEARNET, publicZonePolicy, type NetworkName, type ZoneDefinition } from '@veilnode/plugin-api';
import { CLEARNET_SEEDS } from './clearnet-seeds';
import { IpAddressCodec } from './ip-address-codec';

/** The public zone: IP addresses and monerod's public-zone rules. */
export const clearnetZone: ZoneDefinition = Object.freeze({
  name: ZONE_CLEARNET,
  codec: new IpAddressCodec(),
  policy: publicZonePolicy(ZONE_CLEARNET),
});

const byNetwork = new Map<NetworkName, ZoneDefinition>();

/** The public zone with the built-in seeds of `network`; one definition object per network. */
export function clearnetZoneFor(network: NetworkName): ZoneDefinition {
  let zone = byNetwork.get(network);
  if (zone === undefined) byNetwork.set(network, (zone = Object.freeze({ ...clearnetZone, seeds: CLEARNET_SEEDS[network] })));
  return zone;
}
