import type { Logger } from '@veilnode/plugin-api';

/**
 * A logger that adds fixed bindings to each record it passes on. Unlike a pino child it costs
 * nothing to create (pino serialises and redacts a child's bindings up front), which matters for
 * objects made by the thousand whose records are mostly below the log level (peer connections).
 */
export class BoundLogger implements Logger {
  /** pino's level check when the parent has one: a record below the level is never built. */
  private readonly enabled: (level: string) => boolean;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Readonly<Record<string, unknown>>,
  ) {
    const check = (parent as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
    this.enabled = typeof check === 'function' ? (level) => check.call(parent, level) : () => true;
  }

  trace(obj: object, msg?: string): void {
    if (this.enabled('trace')) this.parent.trace({ ...this.bindings, ...obj }, msg);
  }

  debug(obj: object, msg?: string): void {
    if (this.enabled('debug')) this.parent.debug({ ...this.bindings, ...obj }, msg);
  }

  info(obj: object, msg?: string): void {
    if (this.enabled('info')) this.parent.info({ ...this.bindings, ...obj }, msg);
  }

  warn(obj: object, msg?: string): void {
    if (this.enabled('warn')) this.parent.warn({ ...this.bindings, ...obj }, msg);
  }

  error(obj: object, msg?: string): void {
    if (this.enabled('error')) this.parent.error({ ...this.bindings, ...obj }, msg);
  }

  child(bindings: Record<string, unknown>): Logger {
    return this.parent.child({ ...this.bindings, ...bindings });
  }
}
