import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { VeilnodeError, type DialOptions, type PeerAddress, type TransportConnection } from '@veilnode/plugin-api';

/** What a running Node lends plugins: its zones' codecs and raw connections through their transports, and its relay queue's size. */
export interface PluginNodeServices {
  parseAddress(text: string): PeerAddress;
  openConnection(address: PeerAddress, options?: DialOptions): Promise<TransportConnection>;
  queuedTransactions(): readonly { readonly zone: string; readonly queued: number }[];
}

/**
 * The late-bound half of every PluginContext: plugins register before the Node exists, but
 * their RPC handlers run while it does. The Node attaches itself on start and detaches on stop;
 * in between, `dial()` works, before and after it fails with NODE_NOT_RUNNING.
 */
export class PluginRuntime {
  private services: PluginNodeServices | undefined;

  /** `dataDir`: the node's absolute data directory. */
  constructor(readonly dataDir: string) {}

  attach(services: PluginNodeServices): void {
    this.services = services;
  }

  detach(): void {
    this.services = undefined;
  }

  /** `<dataDir>/plugins/<plugin>`, created (0700) on demand. */
  pluginDir(plugin: string): string {
    const dir = path.join(this.dataDir, 'plugins', plugin);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  parseAddress(plugin: string, text: string): PeerAddress {
    if (this.services === undefined) throw notRunning(plugin, 'parsed an address');
    return this.services.parseAddress(text);
  }

  dial(plugin: string, address: PeerAddress, options?: DialOptions): Promise<TransportConnection> {
    if (this.services === undefined) return Promise.reject(notRunning(plugin, 'dialed'));
    return this.services.openConnection(address, options);
  }

  queuedTransactions(): readonly { readonly zone: string; readonly queued: number }[] {
    return this.services?.queuedTransactions() ?? [];
  }
}

function notRunning(plugin: string, what: string): VeilnodeError {
  return new VeilnodeError('NODE_NOT_RUNNING', `plugin ${plugin} ${what} while the node is not running (call it from RPC handlers, not register())`, { plugin });
}
