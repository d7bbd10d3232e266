import { PluginError, VeilnodeError, type Logger, type PluginContext, type RpcMethodHandler, type RpcMethodOptions, type DialOptions, type NetworkName, type PeerAddress, type TransportConnection, type TransportDefinition, type ZoneConfig, type ZoneDefinition } from '@veilnode/plugin-api';
import type { NodeConfig } from '../config/core-schema';
import { resolveZoneConfig } from '../config/zone-settings';
import type { RpcMethodRegistry } from '../rpc/rpc-method-registry';
import { PluginErrorCode } from './plugin-errors';
import type { PluginRegistry } from './plugin-registry';
import type { PluginRuntime } from './plugin-runtime';

export type StopHook = { readonly plugin: string; readonly hook: () => void | Promise<void> };

/**
 * The narrow facade one plugin sees during register(). It never exposes the container: every
 * contribution goes through the registry's checks, tagged with the plugin's name. It is sealed
 * when register() returns, so a late (fire-and-forget) call fails loudly instead of half-working.
 */
export class PluginContextImpl implements PluginContext {
  private sealed = false;

  constructor(
    readonly pluginName: string,
    private readonly nodeConfig: NodeConfig,
    private readonly registry: PluginRegistry,
    private readonly rpcMethods: RpcMethodRegistry,
    private readonly stopHooks: StopHook[],
    readonly logger: Logger,
    private readonly runtime: PluginRuntime,
  ) {}

  get network(): NetworkName {
    return this.nodeConfig.network;
  }

  seal(): void {
    this.sealed = true;
  }

  config<T = Record<string, unknown>>(): T {
    return (this.nodeConfig[this.pluginName] ?? {}) as T;
  }

  zoneConfig(zone: string): ZoneConfig | undefined {
    const raw = this.nodeConfig.zones[zone];
    if (raw === undefined) return undefined;
    const definition = this.registry.zone(zone)?.definition;
    return resolveZoneConfig(zone, raw, definition?.policy, this.nodeConfig.p2p, definition?.seeds);
  }

  registerZone(zone: ZoneDefinition): void {
    this.assertOpen('registerZone');
    this.registry.registerZone(this.pluginName, zone);
  }

  registerTransport(transport: TransportDefinition): void {
    this.assertOpen('registerTransport');
    this.registry.registerTransport(this.pluginName, transport);
  }

  registerRpcMethod(name: string, handler: RpcMethodHandler, options?: RpcMethodOptions): void {
    this.assertOpen('registerRpcMethod');
    try {
      this.rpcMethods.add(name, handler, options, this.pluginName);
    } catch (error) {
      const code = (error as VeilnodeError).code === 'RPC_METHOD_DUPLICATE' ? PluginErrorCode.DuplicateRpcMethod : PluginErrorCode.InvalidDefinition;
      throw new PluginError(code, `plugin ${this.pluginName}: ${(error as Error).message}`, { plugin: this.pluginName, method: name });
    }
    this.registry.recordRpcMethod(this.pluginName, name);
  }

  onStop(hook: () => void | Promise<void>): void {
    this.assertOpen('onStop');
    this.stopHooks.push({ plugin: this.pluginName, hook });
  }

  dataDir(): string {
    return this.runtime.pluginDir(this.pluginName);
  }

  // parseAddress, dial and queuedTransactions are for run time (RPC handlers), so sealing does not apply.
  parseAddress(text: string): PeerAddress {
    return this.runtime.parseAddress(this.pluginName, text);
  }

  dial(address: PeerAddress, options?: DialOptions): Promise<TransportConnection> {
    return this.runtime.dial(this.pluginName, address, options);
  }

  queuedTransactions(): readonly { readonly zone: string; readonly queued: number }[] {
    return this.runtime.queuedTransactions();
  }

  private assertOpen(what: string): void {
    if (this.sealed) {
      throw new PluginError(PluginErrorCode.RegisterFailed, `plugin ${this.pluginName} called ${what} after register() returned`, { plugin: this.pluginName });
    }
  }
}
