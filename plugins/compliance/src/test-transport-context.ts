import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testZoneConfig } from '@veilnode/plugin-api/testing';
import type { Logger, NetworkName, TransportContext, ZoneConfig } from '@veilnode/plugin-api';
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
  const zone = testZoneConfig({ name: options.zone, transport: options.transport ?? options.zone, ...options.zoneConfig });
  return {
    zone,
    pluginConfig: options.pluginConfig ?? {},
    network: options.network ?? 'regtest',
    dataDir: join(tmpdir(), 'veilnode-test', zone.transport),
    logger: options.logger ?? new RecordingLogger(),
  };
}
