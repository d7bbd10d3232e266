import type { CarrierPoolConfig } from '@veilnode/node/relay';

/**
 * The carrier pool as it was before carriers were handed out at drawn ages (the bench's baseline):
 * a carrier can be taken from the moment it is up until 2 min before its end, and the opening
 * rate stays at the idle 6 per 10 min whatever the sender does, so a fast sender gets the
 * youngest circuits.
 */
export const TAKE_YOUNG_POOL: Partial<CarrierPoolConfig> = Object.freeze({
  minRemainingMs: 2 * 60_000,
  maxOpen: 12,
  handoutAgeMaxMs: 0,
  handoutWindowMs: 12 * 60_000,
  maxOpensPerHour: 36,
});
