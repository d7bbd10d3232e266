import type {
  NetworkName,
  PluginContext,
  RpcMethodHandler,
  RpcMethodOptions,
  TransportDefinition,
  ZoneConfig,
  ZoneDefinition,
} from '@veilnode/core';
import { RecordingLogger } from './recording-logger';

export interface RecordingPluginContextOptions {
  readonly pluginName: string;
  /** The plugin's settings as the node would pass them after validation. */
  readonly config?: Record<string, unknown>;
  readonly zones?: Record<string, ZoneConfig>;
  readonly network?: NetworkName;
}

/**
 * A PluginContext that records what a plugin's register() contributes, for unit-testing a
 * plugin without the node. It does not validate config: that is the node's job.
 */
export class RecordingPluginContext implements PluginContext {
  readonly pluginName: string;
  readonly network: NetworkName;
  readonly logger = new RecordingLogger();
  readonly zones: ZoneDefinition[] = [];
  readonly transports: TransportDefinition[] = [];
  readonly rpcMethods = new Map<string, { handler: RpcMethodHandler; options?: RpcMethodOptions }>();
  readonly stopHooks: (() => void | Promise<void>)[] = [];

  constructor(private readonly options: RecordingPluginContextOptions) {
    this.pluginName = options.pluginName;
    this.network = options.network ?? 'regtest';
  }

  config<T = Record<string, unknown>>(): T {
    return (this.options.config ?? {}) as T;
  }

  zoneConfig(zone: string): ZoneConfig | undefined {
    return this.options.zones?.[zone];
  }

  registerZone(zone: ZoneDefinition): void {
    this.zones.push(zone);
  }

  registerTransport(transport: TransportDefinition): void {
    this.transports.push(transport);
  }

  registerRpcMethod(name: string, handler: RpcMethodHandler, options?: RpcMethodOptions): void {
    this.rpcMethods.set(name, { handler, options });
  }

  onStop(hook: () => void | Promise<void>): void {
    this.stopHooks.push(hook);
  }

  /** Run the stop hooks the way the node does: in reverse registration order. */
  async runStopHooks(): Promise<void> {
    for (const hook of [...this.stopHooks].reverse()) await hook();
  }
}
