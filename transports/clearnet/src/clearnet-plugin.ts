import { ConfigError, type ListenBind, type Plugin, type ZoneConfig } from '@veilnode/core';
import { CLEARNET_TRANSPORT, ClearnetTransport, DEFAULT_DIAL_TIMEOUT_MS } from './clearnet-transport';
import { clearnetZone } from './clearnet-zone';

export interface ClearnetPluginConfig {
  readonly dialTimeoutMs: number;
}

/** Registers the clearnet zone and the TCP transport that serves it. */
export const clearnetPlugin: Plugin = {
  name: 'clearnet',
  version: '0.1.0',
  coreApi: '^1.0.0',
  configSchema: {
    dialTimeoutMs: {
      doc: 'Deadline of one outgoing TCP connect, in milliseconds.',
      format: 'nat',
      default: DEFAULT_DIAL_TIMEOUT_MS,
    },
  },
  register(context) {
    const { dialTimeoutMs } = context.config<ClearnetPluginConfig>();
    context.registerZone(clearnetZone);
    context.registerTransport({
      name: CLEARNET_TRANSPORT,
      zone: clearnetZone.name,
      create: ({ logger, zone }) => new ClearnetTransport({ logger, dialTimeoutMs, bind: bindOf(zone) }),
    });
  },
};

/** The zone's `inbound.bind` (`IP:PORT`, `[IPv6]:PORT`; core fills it from --p2p-bind-ip/port). */
function bindOf(zone: ZoneConfig): ListenBind | undefined {
  if (!zone.inbound) return undefined;
  try {
    const { host, port } = clearnetZone.codec.parse(zone.inbound.bind);
    return { host, port };
  } catch (err) {
    throw new ConfigError(`zones.${zone.name}.inbound.bind: ${(err as Error).message}`, { path: `zones.${zone.name}.inbound.bind` }, { cause: err });
  }
}
