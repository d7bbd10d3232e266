import type { Logger } from '@veilnode/plugin-api';
import type { DeliveryEvidence, LocalTxEvents } from './local-tx-events';
import type { SubmitResult } from './relay-engine';

/** The message of the line logged when a local tx is given up. */
export const REJECTED_MESSAGE = 'local tx given up as rejected: it will not be sent again';

/**
 * One log line per state change of a local tx, so an operator can follow each wallet send:
 * info for accepted, sent and delivered, warn for rejected. A line names the tx and the zones,
 * never a peer (on an anonymity zone that would undo what the zone hides).
 */
export class LocalTxLog implements LocalTxEvents {
  constructor(private readonly logger: Logger) {}

  accepted({ txId, status }: SubmitResult): void {
    this.logger.info({ txId, relay: status }, 'local tx accepted');
  }

  sent(txId: string, zones: readonly string[]): void {
    this.logger.info({ txId, zones }, 'local tx sent');
  }

  delivered(txId: string, evidence: DeliveryEvidence): void {
    this.logger.info({ txId, evidence }, 'local tx delivered');
  }

  rejected(txId: string, reason: string): void {
    this.logger.warn({ txId, reason }, REJECTED_MESSAGE);
  }
}
