import { RpcMethodError } from '@veilnode/plugin-api';
import { JsonRpcErrorCode } from '../json-rpc';

/** A tx id as monerod's RPC takes it (callers lower-case first). */
export const TX_ID = /^[0-9a-f]{64}$/;

/**
 * The `txids` param of relay_tx / flush_txpool: an array of strings (not yet checked as ids), or
 * undefined when absent and not `required`.
 */
export function txidsParam(params: unknown, required: true): string[];
export function txidsParam(params: unknown, required?: false): string[] | undefined;
export function txidsParam(params: unknown, required = false): string[] | undefined {
  const txids = (params as { txids?: unknown } | null)?.txids;
  if (txids === undefined && !required) return undefined;
  if (!Array.isArray(txids) || txids.some((t) => typeof t !== 'string')) throw new RpcMethodError(JsonRpcErrorCode.InvalidParams, 'txids must be an array of transaction ids (hex)');
  return txids as string[];
}
