import type { Logger } from '@veilnode/plugin-api';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** The root sink: pino's record methods and level check. */
export type RecordSink = Omit<Logger, 'child'> & { isLevelEnabled(level: string): boolean };

/**
 * The node's logger: children merge their bindings into one object instead of stacking pino
 * children, so a key bound twice (a `zone` child of a `zone` child, a record's own `component`)
 * appears once in the JSON line, the innermost value winning. pino serialises each child's
 * bindings as a fixed prefix and would write such a key twice.
 */
export class MergingLogger implements Logger {
  constructor(
    private readonly sink: RecordSink,
    private readonly bindings: Readonly<Record<string, unknown>> = {},
  ) {}

  trace(obj: object, msg?: string): void {
    this.write('trace', obj, msg);
  }

  debug(obj: object, msg?: string): void {
    this.write('debug', obj, msg);
  }

  info(obj: object, msg?: string): void {
    this.write('info', obj, msg);
  }

  warn(obj: object, msg?: string): void {
    this.write('warn', obj, msg);
  }

  error(obj: object, msg?: string): void {
    this.write('error', obj, msg);
  }

  isLevelEnabled(level: string): boolean {
    return this.sink.isLevelEnabled(level);
  }

  child(bindings: Record<string, unknown>): Logger {
    return new MergingLogger(this.sink, { ...this.bindings, ...bindings });
  }

  private write(level: Level, obj: object, msg: string | undefined): void {
    if (!this.sink.isLevelEnabled(level)) return;
    this.sink[level]({ ...this.bindings, ...obj }, msg);
  }
}
