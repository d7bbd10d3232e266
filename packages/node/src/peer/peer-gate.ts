import type { PeerAddress } from '@veilnode/plugin-api';
import { BanList } from '../net/ban-list';
import { connectionLimitHost } from '../net/connection-limit-host';
import { SourcePenalties, type SourcePenaltyConfig } from '../relay/source-penalties';
import type { Clock } from '@veilnode/plugin-api';

/** Why a peer is turned away (the word the inbound refusal summary counts it under). */
export type PeerRefusal = 'banned' | 'backedOff';

/**
 * A peer dropped for flooding us with requests is neither dialled nor let in again for 10 min.
 * One strike is enough: the request limits leave an honest monerod several times its cadence,
 * so a peer over them is not there by chance. Bounded: the least recently struck host is
 * forgotten first.
 */
export const DEFAULT_FLOOD_BACKOFF: SourcePenaltyConfig = Object.freeze({ strikes: 1, strikeMemoryMs: 600_000, penaltyMs: 600_000, maxSources: 4096 });

/**
 * Whom the node refuses to talk to, in every direction: peers on the operator's ban list
 * (`--ban-list`) for as long as it runs, and peers that flooded us with requests for a while. The
 * peer layer asks it before a dial, when a connection arrives (before its handshake) and when a
 * peer list comes in.
 */
export class PeerGate {
  private readonly floods: SourcePenalties;

  constructor(
    private readonly banList: BanList,
    clock: Clock,
    floodBackoff: Partial<SourcePenaltyConfig> = {},
  ) {
    this.floods = new SourcePenalties(clock, { ...DEFAULT_FLOOD_BACKOFF, ...floodBackoff });
  }

  /** Lets everyone in (no ban list); flooders are still backed off. */
  static open(clock: Clock): PeerGate {
    return new PeerGate(new BanList(), clock);
  }

  isBanned(address: PeerAddress): boolean {
    return this.banList.isBanned(address.host);
  }

  /** Why `address` may not be dialled or let in now, or undefined when it may. */
  refusal(address: PeerAddress): PeerRefusal | undefined {
    if (this.isBanned(address)) return 'banned';
    return this.floods.penalised(floodKey(address)) ? 'backedOff' : undefined;
  }

  /**
   * The peer at `address` broke a request limit: it is refused for the back-off time. Its host
   * is what counts (a public IPv6 address as its /64, as the per-IP inbound limit), so it cannot
   * come back from another port.
   */
  backOff(address: PeerAddress): void {
    this.floods.strike(floodKey(address));
  }
}

function floodKey(address: PeerAddress): string {
  return `${address.zone}|${connectionLimitHost(address.host)}`;
}
