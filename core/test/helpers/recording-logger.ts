import type { Logger } from '../../src/api/logger';

/** A Logger that records what was logged, for tests that assert on logs or just want quiet. */
export class RecordingLogger implements Logger {
  readonly entries: { level: string; obj: object; msg?: string }[] = [];

  constructor(private readonly bindings: Record<string, unknown> = {}, private readonly sink?: RecordingLogger) {}

  private record(level: string, obj: object, msg?: string): void {
    (this.sink ?? this).entries.push({ level, obj: { ...this.bindings, ...obj }, msg });
  }

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
    return new RecordingLogger({ ...this.bindings, ...bindings }, this.sink ?? this);
  }
}
