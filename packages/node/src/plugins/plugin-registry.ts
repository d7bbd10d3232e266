import { PluginError, type TransportDefinition, type ZoneDefinition } from '@veilnode/plugin-api';
import type { LoadedPlugin } from './plugin-loader';
import { PluginErrorCode } from './plugin-errors';

/** What one plugin is and what it contributed (shown by `veilnode plugins`). */
export interface PluginRecord {
  readonly name: string;
  readonly version: string;
  readonly coreApi: string;
  readonly specifier: string;
  readonly source: string;
  readonly zones: string[];
  readonly transports: string[];
  readonly rpcMethods: string[];
  /** `veilnode <command>` subcommands the plugin adds. */
  readonly commands: string[];
}

export interface Registered<T> {
  readonly definition: T;
  readonly plugin: string;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Every zone and transport the plugins registered, with their owners. It enforces the
 * uniqueness rules: one definition per zone name (the same object may be registered by several
 * plugins), one transport per transport name.
 */
export class PluginRegistry {
  private readonly records = new Map<string, PluginRecord>();
  private readonly zoneMap = new Map<string, Registered<ZoneDefinition>>();
  private readonly transportMap = new Map<string, Registered<TransportDefinition>>();

  addPlugin(loaded: LoadedPlugin): PluginRecord {
    const { plugin, specifier, source } = loaded;
    const record: PluginRecord = { name: plugin.name, version: plugin.version, coreApi: plugin.coreApi, specifier, source, zones: [], transports: [], rpcMethods: [], commands: (plugin.commands ?? []).map((c) => c.name) };
    this.records.set(plugin.name, record);
    return record;
  }

  plugins(): readonly PluginRecord[] {
    return [...this.records.values()];
  }

  zone(name: string): Registered<ZoneDefinition> | undefined {
    return this.zoneMap.get(name);
  }

  zones(): ReadonlyMap<string, Registered<ZoneDefinition>> {
    return this.zoneMap;
  }

  transport(name: string): Registered<TransportDefinition> | undefined {
    return this.transportMap.get(name);
  }

  transports(): ReadonlyMap<string, Registered<TransportDefinition>> {
    return this.transportMap;
  }

  registerZone(plugin: string, zone: ZoneDefinition): void {
    const problem = zoneDefinitionProblem(zone);
    if (problem !== undefined) {
      throw new PluginError(PluginErrorCode.InvalidDefinition, `plugin ${plugin} registers an invalid zone: ${problem}`, { plugin });
    }
    const existing = this.zoneMap.get(zone.name);
    if (existing !== undefined && existing.definition !== zone) {
      throw new PluginError(
        PluginErrorCode.ZoneConflict,
        `plugin ${plugin} registers zone ${zone.name}, which plugin ${existing.plugin} already registered with a different definition`,
        { plugin, zone: zone.name, existing: existing.plugin },
      );
    }
    if (existing === undefined) this.zoneMap.set(zone.name, { definition: zone, plugin });
    this.recordOf(plugin).zones.push(zone.name);
  }

  registerTransport(plugin: string, transport: TransportDefinition): void {
    const problem = transportDefinitionProblem(transport);
    if (problem !== undefined) {
      throw new PluginError(PluginErrorCode.InvalidDefinition, `plugin ${plugin} registers an invalid transport: ${problem}`, { plugin });
    }
    const existing = this.transportMap.get(transport.name);
    if (existing !== undefined) {
      throw new PluginError(
        PluginErrorCode.DuplicateTransport,
        `plugin ${plugin} registers transport ${transport.name}, which plugin ${existing.plugin} already registered`,
        { plugin, transport: transport.name, existing: existing.plugin },
      );
    }
    this.transportMap.set(transport.name, { definition: transport, plugin });
    this.recordOf(plugin).transports.push(transport.name);
  }

  recordRpcMethod(plugin: string, method: string): void {
    this.recordOf(plugin).rpcMethods.push(method);
  }

  /** After every register(): each transport must serve a zone some plugin registered. */
  checkTransportZones(): void {
    for (const [name, { definition, plugin }] of this.transportMap) {
      if (!this.zoneMap.has(definition.zone)) {
        throw new PluginError(
          PluginErrorCode.UnknownTransportZone,
          `plugin ${plugin} registers transport ${name} for zone ${definition.zone}, but no plugin registers that zone (zones: ${[...this.zoneMap.keys()].join(', ') || 'none'})`,
          { plugin, transport: name, zone: definition.zone },
        );
      }
    }
  }

  private recordOf(plugin: string): PluginRecord {
    const record = this.records.get(plugin);
    if (record === undefined) throw new PluginError(PluginErrorCode.RegisterFailed, `plugin ${plugin} is not loaded`, { plugin });
    return record;
  }
}

function zoneDefinitionProblem(zone: ZoneDefinition): string | undefined {
  if (typeof zone !== 'object' || zone === null) return 'the definition must be an object {name, codec, policy}';
  if (typeof zone.name !== 'string' || !NAME.test(zone.name)) return `zone name ${JSON.stringify(zone.name)} must be lower-case letters, digits and -`;
  if (typeof zone.codec !== 'object' || zone.codec === null || typeof zone.codec.parse !== 'function') return `zone ${zone.name} has no address codec`;
  if (zone.codec.zone !== zone.name) return `zone ${zone.name}'s codec is for zone ${zone.codec.zone}`;
  if (typeof zone.policy !== 'object' || zone.policy === null) return `zone ${zone.name} has no policy`;
  if (zone.policy.zone !== zone.name) return `zone ${zone.name}'s policy is for zone ${zone.policy.zone}`;
  return undefined;
}

function transportDefinitionProblem(transport: TransportDefinition): string | undefined {
  if (typeof transport !== 'object' || transport === null) return 'the definition must be an object {name, zone, create}';
  if (typeof transport.name !== 'string' || !NAME.test(transport.name)) return `transport name ${JSON.stringify(transport.name)} must be lower-case letters, digits and -`;
  if (typeof transport.zone !== 'string' || transport.zone.length === 0) return `transport ${transport.name} does not say which zone it serves`;
  if (typeof transport.create !== 'function') return `transport ${transport.name} has no create() factory`;
  return undefined;
}
