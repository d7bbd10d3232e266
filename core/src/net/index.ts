/** SOCKS client shared by proxy-based transports (Tor, I2P SOCKS, proxied clearnet). */
export * from './socks-proxy';
export * from './socks-errors';
export * from './socks-dialer';
export * from './socks-probe';
