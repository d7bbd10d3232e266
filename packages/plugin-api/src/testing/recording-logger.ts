import type { Logger } from '../logger';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  readonly level: LogLevel;
  /** The call's object merged over the bindings of every child() above it. */
  readonly fields: Record<string, unknown>;
  readonly msg?: string;
}

/**
 * A Logger that records every call instead of writing it, so tests can assert what a plugin
 * logs (and that nothing it logs holds a secret or, on an anonymity zone, an IP address).
 */
export class RecordingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  trace(obj: object, msg?: string): void {
    this.record('trace', obj, msg);
  }
  debug(obj: object, msg?: string): void {
    this.record('debug', obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.record('info', obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.record('warn', obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.record('error', obj, msg);
  }

  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.entries, { ...this.bindings, ...bindings });
  }

  /** Every entry as one JSON line each, for "does the log contain X" assertions. */
  text(): string {
    return this.entries.map((entry) => JSON.stringify(entry)).join('\n');
  }

  private record(level: LogLevel, obj: object, msg?: string): void {
    this.entries.push({ level, fields: { ...this.bindings, ...obj }, msg });
  }
}
