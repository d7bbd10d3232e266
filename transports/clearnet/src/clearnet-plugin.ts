import { SocksDialer, type Dialer, type Logger, type Plugin, type ZoneConfig } from '@veilnode/plugin-api';
import { CLEARNET_TRANSPORT, ClearnetTransport, DEFAULT_DIAL_TIMEOUT_MS } from './clearnet-transport';
import { clearnetZone, clearnetZoneFor } from './clearnet-zone';

export interface ClearnetPluginConfig {
  readonly dialTimeoutMs: number;
}

/** Registers the clearnet zone and the TCP transport that serves it. */
export const clearnetPlugin: Plugin = {
  name: 'clearnet',
  version: '0.1.0',
  coreApi: '^2.0.0',
  configSchema: {
    dialTimeoutMs: {
      doc: 'Deadline of one outgoing TCP connect, in milliseconds.',
      format: 'nat',
      default: DEFAULT_DIAL_TIMEOUT_MS,
    },
  },
  register(context) {
    const { dialTimeoutMs } = context.config<ClearnetPluginConfig>();
    context.registerZone(clearnetZoneFor(context.network));
    context.registerTransport({
      name: CLEARNET_TRANSPORT,
      zone: clearnetZone.name,
      create: ({ logger, zone }) => new ClearnetTransport({ logger, dialTimeoutMs, dialer: proxyDialerOf(zone, logger) }),
    });
  },
};

/**
 * `--proxy IP:PORT` (all-traffic mode, `zones.clearnet.proxy`): every dial goes through the SOCKS
 * proxy, with fresh isolation credentials per connection unless the proxy has its own, so no
 * direct socket is opened and no name is resolved locally.
 */
function proxyDialerOf(zone: ZoneConfig, logger: Logger): Dialer | undefined {
  if (zone.proxy === null) return undefined;
  return new SocksDialer({ proxy: zone.proxy, logger });
}
