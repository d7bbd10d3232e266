import { LOG_LEVELS, type LogLevel } from './core-schema';

/**
 * monerod's numeric --log-level 0..4 as veilnode's levels: 0 is monerod's default (warnings and
 * errors, plus a few notable events), 1 adds info, 2 debug, 3 and 4 trace (monerod's 4 is trace
 * of every category; veilnode has no categories).
 */
export const MONEROD_LOG_LEVELS: readonly LogLevel[] = ['warn', 'info', 'debug', 'trace', 'trace'];

/** A level written as monerod's number or as a veilnode name, or undefined when it is neither. */
export function logLevelOf(text: string): LogLevel | undefined {
  if (/^[0-4]$/.test(text)) return MONEROD_LOG_LEVELS[Number(text)];
  return (LOG_LEVELS as readonly string[]).includes(text) ? (text as LogLevel) : undefined;
}
