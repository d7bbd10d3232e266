/**
 * Networking shared by transports: the SOCKS client (Tor, I2P SOCKS, proxied clearnet) and the
 * local listener a hidden service forwards inbound streams to (Tor, I2P SOCKS).
 */
export * from './socks-proxy';
export * from './socks-errors';
export * from './socks-dialer';
export * from './socks-probe';
export * from './hidden-service-inbound';
export * from './subnet-diversity';
export * from './ban-list';
