import { skipOrFailWithout } from './daemon-requirement';
import { monerodMissingReason } from './monerod';

/** In a mocha `before`: skips the suite when the monero binaries are missing, or fails it under CI=true. */
export function skipWithoutMonerod(context: Mocha.Context): void {
  skipOrFailWithout(context, monerodMissingReason());
}
