import { Command } from '@veilnode/plugin-api';
import { TokenBucket } from '../net/token-bucket';
import type { Clock } from '@veilnode/plugin-api';

/** How often one connection may ask one thing of us: `burst` at once, then one per `everyMs`. */
export interface RequestLimit {
  readonly burst: number;
  readonly everyMs: number;
}

/**
 * Per connection and command. monerod 0.18 sends a TIMED_SYNC every 60 s
 * (`P2P_DEFAULT_HANDSHAKE_INTERVAL`, `peer_sync_idle_maker` in src/p2p/net_node.inl), one PING
 * on a fresh connection to the port we announce, and one REQUEST_SUPPORT_FLAGS after the
 * handshake; these limits leave it 4× that cadence for timed syncs and room for a repeat of the
 * others. A second HANDSHAKE on a connection is a protocol violation already (it closes it).
 */
export const PEER_REQUEST_LIMITS: Readonly<Record<number, RequestLimit>> = Object.freeze({
  [Command.TimedSync]: { burst: 4, everyMs: 15_000 },
  [Command.Ping]: { burst: 2, everyMs: 60_000 },
  [Command.RequestSupportFlags]: { burst: 2, everyMs: 60_000 },
});

/**
 * The requests one peer may make of one connection: a token bucket per limited command, made on
 * the command's first use (at most one per entry of the limits). A peer over a limit is dropped
 * by the caller; nothing it asks can make us answer faster than the limits.
 */
export class PeerRequestLimiter {
  private readonly buckets = new Map<number, TokenBucket>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: Readonly<Record<number, RequestLimit>> = PEER_REQUEST_LIMITS,
  ) {}

  /** Takes one request of `command`; false when the peer is over its limit (commands without one always pass). */
  allow(command: number): boolean {
    const limit = this.limits[command];
    if (limit === undefined) return true;
    let bucket = this.buckets.get(command);
    if (bucket === undefined) this.buckets.set(command, (bucket = new TokenBucket(1000 / limit.everyMs, this.clock, limit.burst)));
    return bucket.take(1) === 0;
  }
}
