import type { VeilnodeProcess } from './veilnode-process';

/** Level of pino's info lines. */
export const INFO = 30;

/** The state lines (`local tx accepted`, `sent`, `delivered`, ...) a node logged for one local tx since `sinceMs`. */
export async function localTxLines(node: VeilnodeProcess, txId: string, sinceMs = 0): Promise<Array<Record<string, unknown>>> {
  return (await node.logSince(sinceMs)).filter((e) => e.txId === txId && typeof e.msg === 'string' && e.msg.startsWith('local tx '));
}
