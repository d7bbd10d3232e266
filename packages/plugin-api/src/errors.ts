/**
 * Typed errors. Every error veilnode raises on bad input or a failing peer/proxy/daemon is a
 * VeilnodeError: a stable machine-readable `code`, a message that names what was wrong, and a
 * `context` object for structured logs. Context must never hold secrets (keys, proxy passwords)
 * or, on anonymity zones, clearnet addresses.
 */
export class VeilnodeError extends Error {
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }

  /** Structured form for pino: never includes `cause` objects that may carry credentials. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...this.context };
  }
}

/** A configuration value or file is wrong. `path` is the config key path (e.g. `zones.tor.proxy`). */
export class ConfigError extends VeilnodeError {
  constructor(message: string, context: { path?: string; [k: string]: unknown } = {}, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, context, options);
  }
}

/** A plugin could not be loaded or registered. */
export class PluginError extends VeilnodeError {
  constructor(code: string, message: string, context: { plugin: string; [k: string]: unknown }, options?: { cause?: unknown }) {
    super(code, message, context, options);
  }
}

/** Text or wire form of an address is not valid for the zone that was asked to parse it. */
export class InvalidAddressError extends VeilnodeError {
  constructor(input: string, reason: string, context: Record<string, unknown> = {}) {
    super('ADDRESS_INVALID', `invalid address ${JSON.stringify(input)}: ${reason}`, { input, reason, ...context });
  }
}

/** Base of every error a Transport raises. */
export class TransportError extends VeilnodeError {}

/** The transport cannot work at all (not implemented, daemon missing, disabled). */
export class TransportUnavailableError extends TransportError {
  constructor(transport: string, reason: string, context: Record<string, unknown> = {}) {
    super('TRANSPORT_UNAVAILABLE', `transport ${transport} is unavailable: ${reason}`, { transport, reason, ...context });
  }
}

/** A dial failed. `code` distinguishes refused/timeout/unreachable/proxy failures (DialErrorCode). */
export class DialError extends TransportError {}

/**
 * Codes of DialError shared by every transport, so core can react to a failed dial (back off,
 * drop the address, blame the proxy) without parsing messages. Transports may add their own.
 */
export const DialErrorCode = {
  /** The remote (or, through a proxy, the destination) actively refused the connection. */
  ConnectionRefused: 'CONNECTION_REFUSED',
  ConnectionReset: 'CONNECTION_RESET',
  NetworkUnreachable: 'NETWORK_UNREACHABLE',
  HostUnreachable: 'HOST_UNREACHABLE',
  /** The OS gave up connecting (kernel SYN retries) before our own deadline. */
  ConnectTimedOut: 'CONNECT_TIMED_OUT',
  /** The address is not one this transport can dial (malformed host or port). */
  AddressInvalid: 'ADDRESS_INVALID',
  /** The address belongs to another zone: dialing it would leak traffic across zones. */
  ZoneMismatch: 'ZONE_MISMATCH',
  /** Any other failure; the message and `cause` say more. */
  DialFailed: 'DIAL_FAILED',
} as const;

/** A listener could not be opened (address in use, not available, bad bind address). */
export class ListenError extends TransportError {}

/** A dial or handshake did not finish in time. */
export class TimeoutError extends TransportError {
  constructor(what: string, ms: number, context: Record<string, unknown> = {}) {
    super('TIMEOUT', `${what} timed out after ${ms} ms`, { what, ms, ...context });
  }
}

/** The operation was aborted by its AbortSignal. */
export class AbortedError extends TransportError {
  constructor(what: string, context: Record<string, unknown> = {}) {
    super('ABORTED', `${what} was aborted`, { what, ...context });
  }
}

/** Malformed bytes from a peer (Levin frame, epee storage, message schema). */
export class ProtocolError extends VeilnodeError {}
