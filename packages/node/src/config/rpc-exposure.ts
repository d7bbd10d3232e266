import { isLoopbackIp } from '../net/loopback';
import type { NodeConfig } from './core-schema';

/**
 * monerod's rule for RPC binds: a full (unrestricted) RPC on a non-loopback address must be
 * confirmed with --confirm-external-bind, and the restricted listener needs a port of its own.
 */
export function rpcExposureProblems(rpc: NodeConfig['rpc']): string[] {
  const problems: string[] = [];
  if (!isLoopbackIp(rpc.bindIp) && !rpc.restricted && !rpc.confirmExternalBind) {
    problems.push(
      `rpc.bindIp: ${rpc.bindIp} is not a loopback address and the RPC is unrestricted: anyone who reaches it may use every method; ` +
        'add --confirm-external-bind (rpc.confirmExternalBind) if you mean it, or --restricted-rpc',
    );
  }
  if (rpc.restrictedBindPort !== null && rpc.restrictedBindPort !== 0 && rpc.restrictedBindPort === rpc.bindPort && (rpc.restrictedBindIp ?? rpc.bindIp) === rpc.bindIp) {
    problems.push(`rpc.restrictedBindPort: ${rpc.restrictedBindPort} is the port of the main RPC listener; the restricted one needs its own`);
  }
  return problems;
}
