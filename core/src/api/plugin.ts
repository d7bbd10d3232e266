import type { Logger } from './logger';
import type { NetworkName, TransportDefinition } from './transport';
import type { ZoneConfig, ZoneDefinition } from './zone';

/** The plugin API version this core implements; plugins declare a semver range in `coreApi`. */
export const CORE_API_VERSION = '1.0.0';

/**
 * A veilnode plugin: the default (or `plugin`) export of a module named in the config file's
 * `plugins` array. Plugins are factories, not decorated classes: they never touch the DI
 * container, only the narrow PluginContext.
 */
export interface Plugin {
  /** Unique name; also the config key of the plugin's settings (`<name>: {...}` at top level). */
  readonly name: string;
  readonly version: string;
  /** Semver range of the core plugin API this plugin targets, e.g. `^1.0.0`. */
  readonly coreApi: string;
  /** A convict schema fragment for this plugin's settings, mounted under the plugin's name. */
  readonly configSchema?: Record<string, unknown>;
  /** Contribute zones, transports and RPC methods. Throwing here stops the node from starting. */
  register(context: PluginContext): void | Promise<void>;
}

export interface PluginContext {
  readonly pluginName: string;
  readonly network: NetworkName;
  readonly logger: Logger;
  /** This plugin's validated settings (the fragment under its name). */
  config<T = Record<string, unknown>>(): T;
  /** Validated settings of a zone (`zones.<name>`), or undefined when the config has none. */
  zoneConfig(zone: string): ZoneConfig | undefined;
  registerZone(zone: ZoneDefinition): void;
  registerTransport(transport: TransportDefinition): void;
  /** Add a JSON-RPC method to the node's RPC server (`POST /json_rpc`). */
  registerRpcMethod(name: string, handler: RpcMethodHandler, options?: RpcMethodOptions): void;
  /**
   * Run `hook` when the node stops (after transports stopped), to flush plugin state. Hooks run
   * in reverse registration order within the node's shutdown deadline; a throwing hook is logged.
   */
  onStop(hook: () => void | Promise<void>): void;
}

export type RpcMethodHandler = (params: unknown, request: RpcRequestInfo) => Promise<unknown> | unknown;

export interface RpcMethodOptions {
  /** Allowed when the RPC runs with --restricted-rpc. Default false. */
  readonly restricted?: boolean;
}

export interface RpcRequestInfo {
  /** The RPC listener the request arrived on (`clearnet` or an anonymity zone). */
  readonly zone: string;
}

/** JSON-RPC error a handler can throw to answer with a specific code. */
export class RpcMethodError extends Error {
  constructor(readonly rpcCode: number, message: string) {
    super(message);
    this.name = 'RpcMethodError';
  }
}
