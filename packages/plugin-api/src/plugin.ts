import type { Writable } from 'node:stream';
import type { Logger } from './logger';
import type { PeerAddress } from './address';
import type { DialOptions, NetworkName, TransportConnection, TransportDefinition } from './transport';
import type { ZoneConfig, ZoneDefinition } from './zone';

/** The plugin API version this core implements; plugins declare a semver range in `coreApi`. */
export const CORE_API_VERSION = '2.0.0';

/**
 * A veilnode plugin: the default (or `plugin`) export of a module named in the config file's
 * `plugins` array. Plugins are factories, not decorated classes: they never touch the DI
 * container, only the narrow PluginContext.
 */
export interface Plugin {
  /** Unique name; also the config key of the plugin's settings (`<name>: {...}` at top level). */
  readonly name: string;
  readonly version: string;
  /** Semver range of the core plugin API this plugin targets, e.g. `^2.0.0`. */
  readonly coreApi: string;
  /** A convict schema fragment for this plugin's settings, mounted under the plugin's name. */
  readonly configSchema?: Record<string, unknown>;
  /** Contribute zones, transports and RPC methods. Throwing here stops the node from starting. */
  register(context: PluginContext): void | Promise<void>;
  /** Command-line subcommands, run as `veilnode <name> [args...]` instead of starting the node. */
  readonly commands?: readonly PluginCommand[];
  /** Command-line options that set this plugin's settings; `veilnode --help` lists them. */
  readonly options?: readonly PluginOption[];
}

/**
 * A command-line option a plugin adds, e.g. `--kovri-router HOST:PORT`. It sets one key of the
 * plugin's settings, over the config file and the environment; the key's `configSchema` entry
 * validates the value, and an error names the option.
 */
export interface PluginOption {
  /** `--` then lower-case letters, digits and `-`; must not be one of core's options (monerod's included) or another plugin's. */
  readonly name: string;
  /** `string` and `number` take a value (`--name VALUE` or `--name=VALUE`; a number is parsed as one), `boolean` is a switch that sets true. */
  readonly type: 'string' | 'number' | 'boolean';
  /** One line for `veilnode --help`. */
  readonly doc: string;
  /** The setting it sets: a key of the plugin's `configSchema`, dotted when nested (`router`, `relay.enabled`). */
  readonly key: string;
  /** The value's name in `--help` (default `VALUE`); not for a boolean. */
  readonly value?: string;
}

/** A `veilnode <name>` subcommand a plugin adds (e.g. split-query's `directory` and `query`). */
export interface PluginCommand {
  /** Lower-case letters, digits and `-`; must not clash with core's commands or another plugin's. */
  readonly name: string;
  /** One line for `veilnode --help`. */
  readonly summary: string;
  /** Runs the command with the arguments after its name; resolves with the process exit code. */
  run(argv: readonly string[], context: PluginCommandContext): Promise<number>;
}

/** What a plugin command gets: output streams, the validated config and its private data dir. */
export interface PluginCommandContext {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly network: NetworkName;
  /** The plugin's validated settings (the fragment under its name). */
  config<T = Record<string, unknown>>(): T;
  /** The plugin's private directory in the node's data dir (created on first call, mode 0700). */
  dataDir(): string;
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
  /**
   * A directory private to this plugin inside the node's data dir (`plugins/<name>`), created
   * on first call with mode 0700. Callable after register() returns.
   */
  dataDir(): string;
  /**
   * Parse `text` (a zone's text form: `ip:port`, `<56>.onion:port`, `<52>.b32.i2p`) with the
   * codec of the registered zone that claims it: the one place a plugin turns text it was handed
   * (an RPC parameter, a directory entry) into an address. Rejects with `DialError`
   * `ADDRESS_INVALID` when no zone claims the text or its codec refuses it. Only while the node
   * runs (from RPC handlers); otherwise throws a VeilnodeError `NODE_NOT_RUNNING`.
   */
  parseAddress(text: string): PeerAddress;
  /**
   * Open a raw connection to `address` (parsed, e.g. with parseAddress) through the transport of
   * the running zone it belongs to (`address.zone`), so an onion address is always reached over
   * Tor; resolves with the connection it opened, as `Transport.dial` does. The connection is the
   * plugin's, not the p2p layer's; the node destroys its stream when it stops. Only while the
   * node runs (from RPC handlers, not during register()): otherwise rejects with a VeilnodeError
   * `NODE_NOT_RUNNING`; an address of a zone that is not running rejects with `DialError`
   * `ADDRESS_INVALID`.
   */
  dial(address: PeerAddress, options?: DialOptions): Promise<TransportConnection>;
  /** Transactions the node holds queued for relay, per running zone (for status answers). */
  queuedTransactions(): readonly { readonly zone: string; readonly queued: number }[];
}

export type RpcMethodHandler = (params: unknown, request: RpcRequestInfo) => Promise<unknown> | unknown;

export interface RpcMethodOptions {
  /** Allowed when the RPC runs with --restricted-rpc. Default false. */
  readonly restricted?: boolean;
}

export interface RpcRequestInfo {
  /** The RPC listener the request arrived on (`clearnet` or an anonymity zone). */
  readonly zone: string;
  /** The listener serves only methods safe for untrusted clients (--restricted-rpc, every zone listener). */
  readonly restricted: boolean;
}

/** JSON-RPC error a handler can throw to answer with a specific code. */
export class RpcMethodError extends Error {
  constructor(readonly rpcCode: number, message: string) {
    super(message);
    this.name = 'RpcMethodError';
  }
}
