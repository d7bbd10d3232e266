import { ZONE_CLEARNET, publicZonePolicy, type ZoneDefinition } from '@veilnode/core';
import { IpAddressCodec } from './ip-address-codec';

/** The public zone: IP addresses and monerod's public-zone rules. */
export const clearnetZone: ZoneDefinition = Object.freeze({
  name: ZONE_CLEARNET,
  codec: new IpAddressCodec(),
  policy: publicZonePolicy(ZONE_CLEARNET),
});
