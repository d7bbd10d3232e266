import { DialError, DialErrorCode } from '@veilnode/plugin-api';

/** A zone dial for tests that only count dials: every dial is refused, as by a closed port. */
export async function refusedDial(): Promise<never> {
  throw new DialError(DialErrorCode.ConnectionRefused, 'test double: nothing listens');
}
