import { anonymityZonePolicy, type Plugin } from '@veilnode/plugin-api';
import { KovriAddressCodec, ZONE_KOVRI } from './kovri-address-codec';
import { parseKovriRouter } from './kovri-router';
import { KOVRI_TRANSPORT, KovriTransport } from './kovri-transport';

/**
 * The smallest complete veilnode plugin: one zone (codec + policy), one transport, one
 * validated setting. Loaded like any third-party plugin: `plugins: ["@veilnode/kovri"]`.
 */
export const kovriPlugin: Plugin = {
  name: 'kovri',
  version: '0.1.0',
  coreApi: '^2.0.0',
  // Mounted under the plugin's name: `kovri: { router: "127.0.0.1:7070" }` in the config file.
  configSchema: {
    router: {
      doc: 'HOST:PORT of a Kovri router (unused: Kovri is a stub).',
      format: (value: unknown) => void parseKovriRouter(value),
      default: null,
      nullable: true,
    },
  },
  // `--kovri-router HOST:PORT` on the command line sets `kovri.router`; `veilnode --help` lists it.
  options: [{ name: '--kovri-router', type: 'string', value: 'HOST:PORT', doc: 'Kovri router to use (unused: Kovri is a stub)', key: 'router' }],
  register(context) {
    const router = parseKovriRouter(context.config<{ router: string | null }>().router);
    context.registerZone({ name: ZONE_KOVRI, codec: new KovriAddressCodec(), policy: anonymityZonePolicy(ZONE_KOVRI) });
    context.registerTransport({
      name: KOVRI_TRANSPORT,
      zone: ZONE_KOVRI,
      // The router address is validated but never logged: it is local network detail.
      create: ({ logger }) => new KovriTransport(logger.child({ routerConfigured: router !== null })),
    });
  },
};
