import { ProtocolError } from '@veilnode/plugin-api';

/** A transaction blob is not a well-formed Monero transaction; `offset` is where parsing stopped. */
export class InvalidTransactionError extends ProtocolError {
  constructor(reason: string, offset: number, context: Record<string, unknown> = {}) {
    super('TX_INVALID', `invalid transaction at byte ${offset}: ${reason}`, { reason, offset, ...context });
  }
}
