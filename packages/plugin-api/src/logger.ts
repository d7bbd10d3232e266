/**
 * The logging surface plugins get. It is pino's call shape (object first, then message), so core
 * hands plugins a pino child logger, but plugins never depend on pino themselves.
 */
export interface Logger {
  trace(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
