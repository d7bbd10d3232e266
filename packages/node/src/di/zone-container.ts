import type { DependencyContainer } from 'tsyringe';
import { VeilnodeError, type Logger, type Transport, type ZoneConfig, type ZoneDefinition } from '@veilnode/plugin-api';
import { ZONE_CODEC, ZONE_CONFIG, ZONE_LOGGER, ZONE_NAME, ZONE_POLICY, ZONE_TRANSPORT } from './tokens';

/** Everything one zone's child container holds. */
export interface ZoneBindings {
  readonly definition: ZoneDefinition;
  readonly config: ZoneConfig;
  readonly transport: Transport;
  readonly logger: Logger;
}

/**
 * A child of the root container holding exactly one zone's transport, codec, policy and
 * settings. Siblings cannot see each other's registrations; the root sees none of them.
 */
export function createZoneContainer(root: DependencyContainer, bindings: ZoneBindings): DependencyContainer {
  if (root.isRegistered(ZONE_TRANSPORT, true)) {
    // A transport in the root would be visible to every zone: exactly the leak zones forbid.
    throw new VeilnodeError('DI_TRANSPORT_IN_ROOT', 'a transport is registered in the root container; transports belong to zone containers only');
  }
  const zone = root.createChildContainer();
  zone.register(ZONE_NAME, { useValue: bindings.definition.name });
  zone.register(ZONE_CONFIG, { useValue: bindings.config });
  zone.register(ZONE_CODEC, { useValue: bindings.definition.codec });
  zone.register(ZONE_POLICY, { useValue: bindings.definition.policy });
  zone.register(ZONE_LOGGER, { useValue: bindings.logger });
  zone.register(ZONE_TRANSPORT, { useValue: bindings.transport });
  assertSingleTransport(zone, bindings.definition.name);
  return zone;
}

/** Startup assertion (design note 5): a zone container resolves exactly one transport. */
export function assertSingleTransport(zone: DependencyContainer, zoneName: string): Transport {
  const transports = zone.isRegistered(ZONE_TRANSPORT) ? zone.resolveAll<Transport>(ZONE_TRANSPORT) : [];
  if (transports.length !== 1) {
    throw new VeilnodeError(
      'ZONE_TRANSPORT_COUNT',
      `zone ${zoneName} must have exactly one transport, found ${transports.length}`,
      { zone: zoneName, count: transports.length },
    );
  }
  return transports[0];
}
