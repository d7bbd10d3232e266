import type { Plugin } from '@veilnode/core';
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
      create: (transportContext) => new ClearnetTransport({ logger: transportContext.logger, dialTimeoutMs }),
    });
  },
};
