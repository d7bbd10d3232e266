/**
 * What the peer layer tells the node's metrics: outcomes are `ok` or an error code (a bounded
 * set: never a peer address or other text a peer chose).
 */
export interface PeerEvents {
  /** A transport dial finished (before the handshake). */
  dialled(zone: string, outcome: string): void;
  /** A connection's handshake finished. */
  handshaken(zone: string, direction: 'inbound' | 'outbound', outcome: string): void;
  /** A noise slot frame (noise, covert fragment or padded tx) went out. */
  noiseSent(zone: string, bytes: number): void;
}

/** An error's code for a metric label: VeilnodeError codes, Node's errno codes, else its class. */
export function outcomeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,48}$/.test(code)) return code;
  return error instanceof Error ? error.name.slice(0, 48) : 'unknown';
}
