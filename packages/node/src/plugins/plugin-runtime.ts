import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { VeilnodeError, type DialOptions } from '@veilnode/plugin-api';

/** What a running Node lends plugins: raw streams through its zones, and its relay queue's size. */
export interface PluginNodeServices {
  openStream(address: string, options?: DialOptions): Promise<Duplex>;
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

  dial(plugin: string, address: string, options?: DialOptions): Promise<Duplex> {
    if (this.services === undefined) return Promise.reject(notRunning(plugin));
    return this.services.openStream(address, options);
  }

  queuedTransactions(): readonly { readonly zone: string; readonly queued: number }[] {
    return this.services?.queuedTransactions() ?? [];
  }
}

function notRunning(plugin: string): VeilnodeError {
  return new VeilnodeError('NODE_NOT_RUNNING', `plugin ${plugin} dialed while the node is not running (dial from RPC handlers, not register())`, { plugin });
}
