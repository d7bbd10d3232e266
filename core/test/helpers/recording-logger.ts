import type { Logger } from '../../src/api';

export interface LogRecord {
  level: string;
  obj: Record<string, unknown>;
  msg?: string;
}

/** A Logger that keeps every record (with its bindings) for assertions. */
export function recordingLogger(records: LogRecord[] = [], bindings: Record<string, unknown> = {}): Logger & { records: LogRecord[] } {
  const at = (level: string) => (obj: object, msg?: string) => records.push({ level, obj: { ...bindings, ...obj }, msg });
  return {
    records,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (b) => recordingLogger(records, { ...bindings, ...b }),
  };
}
