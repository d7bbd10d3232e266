import type { Logger } from '../api/logger';

/**
 * A logger that adds fixed bindings to each record it passes on. Unlike a pino child it costs
 * nothing to create (pino serialises and redacts a child's bindings up front), which matters for
 * objects made by the thousand whose records are mostly below the log level (peer connections).
 */
export class BoundLogger implements Logger {
  constructor(
    private readonly parent: Logger,
    private readonly bindings: Readonly<Record<string, unknown>>,
  ) {}

  trace(obj: object, msg?: string): void {
    this.parent.trace({ ...this.bindings, ...obj }, msg);
  }

  debug(obj: object, msg?: string): void {
    this.parent.debug({ ...this.bindings, ...obj }, msg);
  }

  info(obj: object, msg?: string): void {
    this.parent.info({ ...this.bindings, ...obj }, msg);
  }

  warn(obj: object, msg?: string): void {
    this.parent.warn({ ...this.bindings, ...obj }, msg);
  }

  error(obj: object, msg?: string): void {
    this.parent.error({ ...this.bindings, ...obj }, msg);
  }

  child(bindings: Record<string, unknown>): Logger {
    return this.parent.child({ ...this.bindings, ...bindings });
  }
}
