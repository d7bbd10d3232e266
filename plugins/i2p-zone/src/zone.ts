import { anonymityZonePolicy, ZONE_I2P, type ZoneDefinition, type ZonePolicy } from '@veilnode/plugin-api';
import { B32Codec } from './b32-codec';

/** Monero's anonymity-zone rules for I2P, in one place for both I2P transports. */
export const i2pZonePolicy: ZonePolicy = anonymityZonePolicy(ZONE_I2P);

/**
 * The one I2P zone definition. Both transports register this same object, which the kernel
 * accepts twice; a second, different definition of `i2p` would be a conflict.
 */
export const i2pZone: ZoneDefinition = Object.freeze({ name: ZONE_I2P, codec: new B32Codec(), policy: i2pZonePolicy });
