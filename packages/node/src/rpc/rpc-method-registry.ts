import { VeilnodeError, type RpcMethodHandler, type RpcMethodOptions } from '@veilnode/plugin-api';

export interface RpcMethod {
  readonly name: string;
  readonly handler: RpcMethodHandler;
  readonly restricted: boolean;
  /** `core` or the name of the plugin that registered it. */
  readonly owner: string;
}

export const RPC_METHOD_NAME = /^[a-z][a-z0-9_]*$/;

/** JSON-RPC methods by name; the RPC server dispatches through it, plugins add to it. */
export class RpcMethodRegistry {
  private readonly methods = new Map<string, RpcMethod>();
  /** Names core adds after plugins registered (get_zones needs the node): plugins may not take them. */
  private readonly reserved = new Set<string>();

  reserve(name: string): void {
    this.reserved.add(name);
  }

  add(name: string, handler: RpcMethodHandler, options: RpcMethodOptions = {}, owner = 'core'): void {
    if (!RPC_METHOD_NAME.test(name)) {
      throw new VeilnodeError('RPC_METHOD_INVALID', `RPC method name ${JSON.stringify(name)} must be lower-case letters, digits and _`, { method: name, owner });
    }
    if (typeof handler !== 'function') throw new VeilnodeError('RPC_METHOD_INVALID', `RPC method ${name} needs a handler function`, { method: name, owner });
    const existing = this.methods.get(name) ?? (this.reserved.has(name) && owner !== 'core' ? { owner: 'core' } : undefined);
    if (existing !== undefined) {
      throw new VeilnodeError('RPC_METHOD_DUPLICATE', `RPC method ${name} is already registered by ${existing.owner}`, { method: name, owner, existing: existing.owner });
    }
    this.methods.set(name, { name, handler, restricted: options.restricted ?? false, owner });
  }

  get(name: string): RpcMethod | undefined {
    return this.methods.get(name);
  }

  names(): string[] {
    return [...this.methods.keys()];
  }
}
