/**
 * @veilnode/plugin-api: the only surface plugin authors import. Its semantic version is the
 * plugin ABI (CORE_API_VERSION). Test helpers for plugin authors: `@veilnode/plugin-api/testing`.
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
export * from './encoding/base32';
// The SOCKS client: the node dials through it too (all-traffic `--proxy`, the upstream's proxy).
export * from './socks/socks-proxy';
export * from './socks/socks-errors';
export * from './socks/socks-dialer';
export * from './socks/socks-probe';
// Key and state files that a crash or power loss leaves whole or old, never torn.
export * from './files/atomic-write';
// Time as the node and transports read it (a virtual clock for tests is in ./testing).
export * from './time/clock';
