/** @veilnode/i2p-socks: the I2P zone through the router's SOCKS proxy and a server tunnel. */
export { i2pSocksPlugin as default, i2pSocksPlugin } from './plugin';
export { DEFAULT_I2P_PROXY, i2pSocksConfigSchema, parseI2pSocksConfig, type I2pSocksConfig } from './config';
export { I2pSocksTransport } from './i2p-socks-transport';
