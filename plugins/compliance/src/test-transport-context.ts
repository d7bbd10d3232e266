import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, NetworkName, TransportContext, ZoneConfig } from '@veilnode/core';
import { RecordingLogger } from './recording-logger';

export interface TestTransportContextOptions {
  /** Zone name; the transport name defaults to it. */
  readonly zone: string;
  readonly transport?: string;
  /** Overrides of the zone settings (proxy, inbound, limits...). */
  readonly zoneConfig?: Partial<ZoneConfig>;
  readonly pluginConfig?: unknown;
  readonly network?: NetworkName;
  readonly logger?: Logger;
}

/**
 * The TransportContext a node would hand TransportDefinition.create(), with the settings of
 * an enabled zone that has no peers: enough to build a transport in a unit or compliance test.
 */
export function createTestTransportContext(options: TestTransportContextOptions): TransportContext {
  const zone: ZoneConfig = {
    name: options.zone,
    enabled: true,
    transport: options.transport ?? options.zone,
    proxy: null,
    maxOutbound: 12,
    maxInbound: 64,
    noise: false,
    inbound: null,
    peers: [],
    exclusivePeers: [],
    seeds: [],
    ...options.zoneConfig,
  };
  return {
    zone,
    pluginConfig: options.pluginConfig ?? {},
    network: options.network ?? 'regtest',
    dataDir: join(tmpdir(), 'veilnode-test', zone.transport),
    logger: options.logger ?? new RecordingLogger(),
  };
}
