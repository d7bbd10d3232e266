import type { CarrierPoolConfig } from '@veilnode/node/relay';

/**
 * The carrier pool as it was before carriers were handed out at ordinary ages (the bench's
 * baseline): any warm carrier with 2 min to live, the one whose noise slot comes first whatever
 * its age, and the opening rate stays at the idle 6 per 10 min whatever the sender does, so a
 * fast sender gets the youngest circuits.
 */
export const TAKE_YOUNG_POOL: Partial<CarrierPoolConfig> = Object.freeze({
  minRemainingMs: 2 * 60_000,
  maxOpen: 12,
  ageMatching: false,
  maxOpensPerHour: 36,
});
