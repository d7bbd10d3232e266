import type { Plugin } from '@veilnode/plugin-api';
import { i2pZone } from '@veilnode/i2p-zone';
import { parseSamConfig, PLUGIN_NAME, samConfigSchema } from './config';
import { DivaSamClient } from './diva-sam-client';
import { I2pSamTransport } from './i2p-sam-transport';

/** Registers the shared I2P zone and the `i2p-sam` transport (select with `zones.i2p.transport: "i2p-sam"`). */
export const i2pSamPlugin: Plugin = {
  name: PLUGIN_NAME,
  version: '0.1.0',
  coreApi: '^2.0.0',
  configSchema: samConfigSchema,
  register(context) {
    context.registerZone(i2pZone);
    context.registerTransport({
      name: PLUGIN_NAME,
      zone: i2pZone.name,
      create: (t) => {
        const config = parseSamConfig(t.pluginConfig);
        const logger = t.logger.child({ transport: PLUGIN_NAME });
        return new I2pSamTransport({ config, client: new DivaSamClient(config.sam, logger), dataDir: t.dataDir, logger });
      },
      // every fresh-identity dial creates a transient destination of its own (I2pSamTransport.dial)
      freshIdentity: () => true,
    });
  },
};
