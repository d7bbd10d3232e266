import { ConfigError, type Plugin } from '@veilnode/plugin-api';
import { checkLinkModel } from './link-model';
import { MemoryNetwork } from './memory-network';
import { DEFAULT_MEMORY_DIAL_TIMEOUT_MS, MEMORY_TRANSPORT, MemoryTransport } from './memory-transport';

export interface MemoryPluginConfig {
  readonly zone: string;
  readonly network: string;
  readonly host: string | null;
  readonly port: number;
  readonly latencyMs: number;
  readonly bytesPerSecond: number;
  readonly dialTimeoutMs: number;
}

let generatedHosts = 0;

/**
 * A name for a node that did not configure one: an address from 10.0.0.0/8 on clearnet (so the
 * clearnet codec accepts it; nothing is ever sent to it), `node-N.memory` on other zones.
 */
function generatedHost(zone: string): string {
  const n = ++generatedHosts;
  return zone === 'clearnet' ? `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` : `node-${n}.memory`;
}

/**
 * Registers transport `memory` for the configured zone (it registers no zone: the zone's own
 * plugin does). Nodes in one process whose configs name the same `network` reach each other.
 */
export const memoryPlugin: Plugin = {
  name: 'memory',
  version: '0.1.0',
  coreApi: '^2.0.0',
  configSchema: {
    zone: { doc: 'Zone the memory transport serves.', format: String, default: 'clearnet' },
    network: { doc: 'Name of the in-process network nodes share.', format: String, default: 'default' },
    host: { doc: 'This node’s host name on the memory network (generated when null).', format: '*', default: null, nullable: true },
    port: { doc: 'This node’s port on the memory network.', format: 'port', default: 18080 },
    latencyMs: { doc: 'One-way latency of links this node dials, in milliseconds.', format: Number, default: 0 },
    bytesPerSecond: { doc: 'Bandwidth of links this node dials, bytes per second (0 = unlimited).', format: Number, default: 0 },
    dialTimeoutMs: { doc: 'Deadline of one dial, in milliseconds.', format: 'nat', default: DEFAULT_MEMORY_DIAL_TIMEOUT_MS },
  },
  register(context) {
    const config = context.config<MemoryPluginConfig>();
    if (typeof config.zone !== 'string' || config.zone.length === 0) throw new ConfigError('memory.zone must name a zone', { path: 'memory.zone' });
    if (config.host !== null && (typeof config.host !== 'string' || config.host.length === 0 || config.host.includes(':'))) {
      throw new ConfigError('memory.host must be a non-empty name without ":"', { path: 'memory.host' });
    }
    const link = checkLinkModel({ latencyMs: config.latencyMs, bytesPerSecond: config.bytesPerSecond }, 'memory');
    const host = config.host ?? generatedHost(config.zone);
    context.registerTransport({
      name: MEMORY_TRANSPORT,
      zone: config.zone,
      create: ({ logger }) =>
        new MemoryTransport({
          network: MemoryNetwork.shared(config.network),
          link,
          zone: config.zone,
          host,
          port: config.port,
          logger,
          dialTimeoutMs: config.dialTimeoutMs,
        }),
    });
  },
};
