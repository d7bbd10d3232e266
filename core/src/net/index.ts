/**
 * The SOCKS client, shared by core (proxied clearnet) and the SOCKS transports (Tor, I2P SOCKS;
 * their common skeleton is `@veilnode/socks-transport`).
 */
export * from './socks-proxy';
export * from './socks-errors';
export * from './socks-dialer';
export * from './socks-probe';
export * from './subnet-diversity';
export * from './ban-list';
