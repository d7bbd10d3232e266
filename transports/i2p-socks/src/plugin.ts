import type { Plugin } from '@veilnode/plugin-api';
import { i2pZone } from '@veilnode/i2p-zone';
import { i2pSocksConfigSchema, PLUGIN_NAME } from './config';
import { I2pSocksTransport } from './i2p-socks-transport';

/** Registers the shared I2P zone and the `i2p-socks` transport (select with `zones.i2p.transport: "i2p-socks"`). */
export const i2pSocksPlugin: Plugin = {
  name: PLUGIN_NAME,
  version: '0.1.0',
  coreApi: '^2.0.0',
  configSchema: i2pSocksConfigSchema,
  register(context) {
    context.registerZone(i2pZone);
    context.registerTransport({ name: PLUGIN_NAME, zone: i2pZone.name, create: (t) => new I2pSocksTransport(t) });
  },
};
