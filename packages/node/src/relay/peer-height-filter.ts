import type { ConnectionEligibility, ConnectionId, Direction } from '../routing/types';

/** How far a peer may be behind our height and still get stems and noise (monerod HEAD). */
export const HEIGHT_TOLERANCE = 2;

/**
 * The chain-height rule for picking stems and noise channels in one zone, as monerod applies it
 * before sending: an outbound connection qualifies when its reported height + 2 ≥ our height.
 *
 * We take monerod HEAD's rule rather than 0.18.0.0's (height ≥ ours): a peer one or two blocks
 * behind has only not yet seen the newest block, and would otherwise drop out of the selection
 * after every block. "Our height" is the lower median of the heights the zone's outbound
 * connections report — HEAD's reference while a node is not synchronised, which veilnode, keeping
 * no chain, never is. Unlike the highest height it mirrors, the median cannot be moved by one
 * peer: a single (possibly inbound) peer claiming a huge chain would otherwise leave no stem
 * (local txs stuck, forwarded stems all fluffed by us). The lower median of an even count keeps
 * both of two disagreeing peers rather than trusting the higher claim. Per zone, so a peer of one
 * zone cannot change whom we send to on another (that change would be visible there and link
 * our identities).
 *
 * A connection whose height was never reported is eligible and does not count towards the
 * median: with no heights at all nothing is filtered.
 */
export class PeerHeightFilter implements ConnectionEligibility {
  private readonly outbound = new Map<ConnectionId, number | undefined>();

  connectionUp(id: ConnectionId, direction: Direction, height?: number): void {
    if (direction === 'outbound') this.outbound.set(id, height);
  }

  connectionDown(id: ConnectionId): void {
    this.outbound.delete(id);
  }

  /** A new height from a timed sync or handshake; false when nothing changed (unknown or inbound id, same height). */
  update(id: ConnectionId, height: number): boolean {
    if (!this.outbound.has(id) || this.outbound.get(id) === height) return false;
    this.outbound.set(id, height);
    return true;
  }

  /** The height peers are measured against; undefined while no outbound connection reported one. */
  referenceHeight(): number | undefined {
    const heights = [...this.outbound.values()].filter((h): h is number => h !== undefined).sort((a, b) => a - b);
    return heights.length === 0 ? undefined : heights[Math.floor((heights.length - 1) / 2)];
  }

  eligible(id: ConnectionId): boolean {
    const height = this.outbound.get(id);
    if (height === undefined) return this.outbound.has(id);
    const reference = this.referenceHeight();
    return reference === undefined || height + HEIGHT_TOLERANCE >= reference;
  }

  /** Outbound connections up now (eligible or not). */
  outboundCount(): number {
    return this.outbound.size;
  }

  /** Outbound connections that qualify now. */
  eligibleCount(): number {
    let n = 0;
    for (const id of this.outbound.keys()) if (this.eligible(id)) n++;
    return n;
  }
}
