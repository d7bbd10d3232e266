/**
 * @veilnode/socks-transport: the skeleton shared by transports that dial through a SOCKS proxy
 * and receive through a hidden service's local listener (Tor, I2P over SOCKS).
 */
export { SocksTransport, type SocksInboundSettings, type SocksTransportOptions } from './socks-transport';
export { listenHiddenServiceInbound, type HiddenServiceInbound, type HiddenServiceInboundOwner, type HiddenServiceInboundSettings } from './hidden-service-inbound';
export { ProxyHealth } from './proxy-health';
export { Backoff } from './backoff';
