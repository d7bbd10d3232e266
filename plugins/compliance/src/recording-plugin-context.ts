import { mkdirSync } from 'node:fs';
import { VeilnodeError, type DialOptions, type NetworkName, type PeerAddress, type TransportConnection, type PluginContext, type RpcMethodHandler, type RpcMethodOptions, type TransportDefinition, type ZoneConfig, type ZoneDefinition } from '@veilnode/plugin-api';
import { RecordingLogger } from './recording-logger';

export interface RecordingPluginContextOptions {
  readonly pluginName: string;
  /** The plugin's settings as the node would pass them after validation. */
  readonly config?: Record<string, unknown>;
  readonly zones?: Record<string, ZoneConfig>;
  readonly network?: NetworkName;
  /** What dataDir() returns (created on call); dataDir() throws when absent. */
  readonly dataDir?: string;
  /** Stands in for the node's zones' codecs in parseAddress(); parseAddress() throws NODE_NOT_RUNNING when absent. */
  readonly parseAddress?: (text: string) => PeerAddress;
  /** Stands in for the node's zones in dial(); dial() rejects NODE_NOT_RUNNING when absent. */
  readonly dial?: (address: PeerAddress, options?: DialOptions) => Promise<TransportConnection>;
  readonly queuedTransactions?: readonly { readonly zone: string; readonly queued: number }[];
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

  dataDir(): string {
    if (this.options.dataDir === undefined) throw new Error('RecordingPluginContext: no dataDir option given');
    mkdirSync(this.options.dataDir, { recursive: true, mode: 0o700 });
    return this.options.dataDir;
  }

  parseAddress(text: string): PeerAddress {
    if (this.options.parseAddress === undefined) throw this.notRunning();
    return this.options.parseAddress(text);
  }

  dial(address: PeerAddress, options?: DialOptions): Promise<TransportConnection> {
    if (this.options.dial === undefined) return Promise.reject(this.notRunning());
    return this.options.dial(address, options);
  }

  queuedTransactions(): readonly { readonly zone: string; readonly queued: number }[] {
    return this.options.queuedTransactions ?? [];
  }

  private notRunning(): VeilnodeError {
    return new VeilnodeError('NODE_NOT_RUNNING', 'no node is running in this test', { plugin: this.pluginName });
  }

  /** Run the stop hooks the way the node does: in reverse registration order. */
  async runStopHooks(): Promise<void> {
    for (const hook of [...this.stopHooks].reverse()) await hook();
  }
}
