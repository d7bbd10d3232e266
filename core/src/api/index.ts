/**
 * @veilnode/core public API: the only surface plugin authors import. Its semantic version is
 * the plugin ABI (CORE_API_VERSION).
 */
export * from './errors';
export * from './logger';
export * from './address';
export * from './port';
export * from './transport';
export * from './dialer';
export * from './zone';
export * from './plugin';
export * from './config-formats';
// The alphabet of onion and .b32.i2p names: one implementation for the Tor and I2P codecs.
export * from '../encoding/base32';
// The SOCKS client lives in core because core dials through it too (all-traffic `--proxy`).
export * from '../net';
