import pino from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '@veilnode/plugin-api';
import type { LogLevel } from '../config/core-schema';
import { MergingLogger } from './merging-logger';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Human-readable lines instead of JSON (the CLI turns this on when stdout is a TTY). */
  readonly pretty: boolean;
  /** Where JSON lines go (default stdout). Tests pass a stream to read the logs. */
  readonly destination?: NodeJS.WritableStream;
}

/**
 * The root logger: pino underneath, children merged by MergingLogger (no key twice in a line).
 * Keys that can hold secrets are redacted wherever they appear, as a net under the rule that
 * code never logs them in the first place.
 */
export function createLogger(options: LoggerOptions): Logger {
  return new MergingLogger(createPino(options));
}

function createPino(options: LoggerOptions): pino.Logger {
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { service: 'veilnode' },
    redact: { paths: ['password', 'login', 'proxy', '*.password', '*.login', '*.proxy'], censor: '[redacted]' },
  };
  if (options.pretty) return pino(settings, pretty({ colorize: true, sync: true, destination: options.destination ?? 1 }));
  return pino(settings, options.destination ?? pino.destination({ dest: 1, sync: true }));
}
