/**
 * What the peer layer tells the node's metrics and activity log: outcomes are `ok` or an error
 * code (a bounded set: never a peer address or other text a peer chose). Every method is
 * optional, so a listener implements what it needs.
 */
export interface PeerEvents {
  /** A connection finished its handshake / closed after it had. */
  connectionUp?(zone: string, direction: 'inbound' | 'outbound'): void;
  connectionDown?(zone: string, direction: 'inbound' | 'outbound'): void;
  /** A transport dial finished (before the handshake). */
  dialled?(zone: string, outcome: string): void;
  /** A connection's handshake finished. */
  handshaken?(zone: string, direction: 'inbound' | 'outbound', outcome: string): void;
  /** A noise slot frame (noise, covert fragment or padded tx) went out. */
  noiseSent?(zone: string, bytes: number): void;
}

/** One PeerEvents that tells every listener given. */
export function allOf(...listeners: readonly (PeerEvents | undefined)[]): PeerEvents {
  const present = listeners.filter((l): l is PeerEvents => l !== undefined);
  return {
    connectionUp: (zone, direction) => present.forEach((l) => l.connectionUp?.(zone, direction)),
    connectionDown: (zone, direction) => present.forEach((l) => l.connectionDown?.(zone, direction)),
    dialled: (zone, outcome) => present.forEach((l) => l.dialled?.(zone, outcome)),
    handshaken: (zone, direction, outcome) => present.forEach((l) => l.handshaken?.(zone, direction, outcome)),
    noiseSent: (zone, bytes) => present.forEach((l) => l.noiseSent?.(zone, bytes)),
  };
}

/** An error's code for a metric label: VeilnodeError codes, Node's errno codes, else its class. */
export function outcomeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,48}$/.test(code)) return code;
  return error instanceof Error ? error.name.slice(0, 48) : 'unknown';
}
