import { TransportUnavailableError, type Listener, type Logger, type Transport, type TransportConnection, type TransportStatus } from '@veilnode/plugin-api';
import { ZONE_KOVRI } from './kovri-address-codec';

export const KOVRI_TRANSPORT = 'kovri';
const NOT_IMPLEMENTED = 'Kovri is not implemented (the Kovri router was abandoned; use the i2p zone)';

/**
 * A transport that declares it can do nothing: both capabilities are false, so core never
 * dials or listens with it, and a direct call still fails with a clear typed error.
 */
export class KovriTransport implements Transport {
  readonly name = KOVRI_TRANSPORT;
  readonly zone = ZONE_KOVRI;
  readonly capabilities = Object.freeze({ dial: false, listen: false });

  constructor(private readonly logger: Logger) {}

  async start(): Promise<void> {
    this.logger.warn({}, 'Kovri is a stub: the kovri zone will neither dial nor listen');
  }

  async dial(): Promise<TransportConnection> {
    throw new TransportUnavailableError(this.name, NOT_IMPLEMENTED);
  }

  async listen(): Promise<Listener> {
    throw new TransportUnavailableError(this.name, NOT_IMPLEMENTED);
  }

  async stop(): Promise<void> {}

  status(): TransportStatus {
    return { healthy: false, reason: NOT_IMPLEMENTED };
  }
}
