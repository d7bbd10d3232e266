import { ProtocolError } from '@veilnode/plugin-api';

/** Machine-readable reasons an epee portable-storage blob was rejected. */
export type EpeeErrorCode =
  | 'EPEE_TRUNCATED'
  | 'EPEE_BAD_HEADER'
  | 'EPEE_BAD_TYPE'
  | 'EPEE_BAD_VALUE'
  | 'EPEE_DUPLICATE_KEY'
  | 'EPEE_LIMIT'
  | 'EPEE_SCHEMA'
  | 'EPEE_ENCODE';

/**
 * Malformed or over-limit portable storage. `context.offset` is the byte offset (from the start
 * of the storage blob, i.e. of the Levin body) where the problem was found.
 */
export class EpeeError extends ProtocolError {
  declare readonly code: EpeeErrorCode;

  constructor(code: EpeeErrorCode, reason: string, context: { offset?: number; [k: string]: unknown } = {}) {
    const where = context.offset === undefined ? '' : ` at byte ${context.offset}`;
    super(code, `epee: ${reason}${where}`, { reason, ...context });
  }
}
