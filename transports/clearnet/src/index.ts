/** @veilnode/clearnet: TCP over IPv4/IPv6 for the public zone. The default export is the plugin. */
import { clearnetPlugin } from './clearnet-plugin';

export { clearnetPlugin, clearnetPlugin as plugin };
export type { ClearnetPluginConfig } from './clearnet-plugin';
export { ClearnetTransport, CLEARNET_TRANSPORT, DEFAULT_DIAL_TIMEOUT_MS, DEFAULT_LISTEN_BIND } from './clearnet-transport';
export type { ClearnetTransportOptions } from './clearnet-transport';
export { DirectTcpDialer } from './direct-tcp-dialer';
export { IpAddressCodec } from './ip-address-codec';
export { clearnetZone, clearnetZoneFor } from './clearnet-zone';
export { CLEARNET_SEEDS } from './clearnet-seeds';
export default clearnetPlugin;
