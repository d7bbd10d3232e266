import type { Topology } from './topology';

/** Every time an origin handed one of its txs to a node on the anonymity zone, and on which connection. */
export interface OriginHandoffs {
  readonly tx: Int32Array;
  readonly to: Int32Array;
  /** The connection, numbered in the run (a rotated or new connection gets a new number). */
  readonly connection: Int32Array;
}

/** Growable columns of `OriginHandoffs`. */
export class HandoffLog {
  private tx: number[] = [];
  private to: number[] = [];
  private connection: number[] = [];
  private readonly ids = new Map<string, number>();

  add(tx: number, to: number, connection: string): void {
    let id = this.ids.get(connection);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(connection, id);
    }
    this.tx.push(tx);
    this.to.push(to);
    this.connection.push(id);
  }

  columns(): OriginHandoffs {
    return { tx: Int32Array.from(this.tx), to: Int32Array.from(this.to), connection: Int32Array.from(this.connection) };
  }
}

export interface Linkability {
  readonly spyShare: number;
  /** Pairs of one honest sender's txs submitted within the window. */
  readonly pairs: number;
  /** Of those, the pairs the adversary links. */
  readonly linked: number;
  /** linked / pairs (NaN without pairs). */
  readonly linkability: number;
}

/**
 * The hidden-service adversary runs share p of the anonymity-zone nodes and links txs that reach
 * one of its nodes on the same connection straight from their sender (the Tor/I2P stream used
 * twice). Linkability: the share of pairs of one sender's txs submitted within `windowMs` of each
 * other that it links. A connection relaying others' txs is not counted: it carries every
 * sender's txs, so sharing it says nothing about a common sender.
 */
export function linkability(handoffs: OriginHandoffs, topology: Topology, submittedAt: Float64Array, spyShare: number, windowMs: number): Linkability {
  const spies = Math.floor(topology.anonymityNodes * spyShare);
  const seenOn: Set<number>[] = Array.from(submittedAt, () => new Set<number>());
  for (let i = 0; i < handoffs.tx.length; i++) if (topology.hiddenSpyRank[handoffs.to[i]] < spies) seenOn[handoffs.tx[i]].add(handoffs.connection[i]);
  const bySender = new Map<number, number[]>();
  topology.origins.forEach((origin, t) => {
    if (topology.hiddenSpyRank[origin] < spies) return; // the adversary's own txs
    bySender.set(origin, [...(bySender.get(origin) ?? []), t]);
  });
  let pairs = 0;
  let linked = 0;
  for (const txs of bySender.values()) {
    for (let i = 0; i < txs.length; i++) {
      for (let j = i + 1; j < txs.length; j++) {
        if (Math.abs(submittedAt[txs[j]] - submittedAt[txs[i]]) > windowMs) continue;
        pairs++;
        if ([...seenOn[txs[i]]].some((c) => seenOn[txs[j]].has(c))) linked++;
      }
    }
  }
  return { spyShare, pairs, linked, linkability: pairs === 0 ? Number.NaN : linked / pairs };
}
