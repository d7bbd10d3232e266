import { isIPv4, isIPv6 } from 'node:net';
import type { Rng } from '../time/rng';
import { isLoopbackIp } from './loopback';

/**
 * Prefix lengths that count as one subnet for outbound peer choice. monerod (0.18.4.3 on, see
 * `make_new_connection_from_peerlist` in src/p2p/net_node.inl) takes at most one outbound peer per
 * IPv4 /24 and per native IPv6 /32, and treats IPv4-mapped IPv6 as IPv4; one per /32 is also at
 * most one per /48.
 */
export interface SubnetRule {
  readonly ipv4Prefix: number;
  readonly ipv6Prefix: number;
}

export const MONEROD_SUBNET_RULE: SubnetRule = Object.freeze({ ipv4Prefix: 24, ipv6Prefix: 32 });

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/**
 * Outbound peer choice that a spy cannot steer by renting many addresses in one subnet: a
 * candidate qualifies only when no outbound peer we already have shares its subnet, and the
 * choice among qualifying candidates is uniform (never by a peer's self-reported height or
 * last-seen time, which the peer controls). A hidden-service host (.onion, .b32.i2p) is its
 * own subnet: one outbound peer per host, whatever its ports (monerod keeps one peer list entry
 * per host before it draws). Loopback hosts always qualify: a local test network is not a rented
 * subnet, and monerod never has one in its peer lists (`sanitize_peerlist` drops loopback and
 * local addresses), while its second pass without the rule would connect them anyway. The caller
 * passes the hosts that occupy a subnet. Unlike monerod, there is no second pass without the
 * rule: when every candidate shares a subnet with a current peer, nothing is drawn and the
 * caller waits for more addresses.
 */
export class SubnetDiversity {
  constructor(private readonly rule: SubnetRule = MONEROD_SUBNET_RULE) {}

  /**
   * The candidates whose subnet none of `connectedHosts` occupies, at most one per subnet among
   * themselves too, in an order uniform over the subnets (a caller may take the first few).
   */
  qualifying<T extends { readonly host: string }>(candidates: readonly T[], connectedHosts: readonly string[], rng: Rng): T[] {
    const occupied = new Set<string>();
    for (const host of connectedHosts) {
      const key = this.subnetKey(host);
      if (key !== undefined) occupied.add(key);
    }
    const chosen: T[] = [];
    // Random order, so which member of a crowded subnet stands for it is itself uniform.
    for (const c of shuffled(candidates, rng)) {
      const key = this.subnetKey(c.host);
      if (key !== undefined) {
        if (occupied.has(key)) continue;
        occupied.add(key);
      }
      chosen.push(c);
    }
    // Shuffled again: in the first order a subnet with many members comes early more often.
    return shuffled(chosen, rng);
  }

  /** One candidate drawn uniformly from the subnets not yet occupied; undefined when none qualifies. */
  draw<T extends { readonly host: string }>(candidates: readonly T[], connectedHosts: readonly string[], rng: Rng): T | undefined {
    const open = this.qualifying(candidates, connectedHosts, rng);
    return open.length === 0 ? undefined : open[rng.int(open.length)];
  }

  /** The subnet `host` belongs to under the rule, or undefined when it has none that counts (loopback). */
  subnetKey(host: string): string | undefined {
    const ip = subnetIp(host);
    if (ip === undefined) return isIpLiteral(host) ? undefined : `h/${host.toLowerCase()}`;
    if (isIPv4(ip)) return `4/${prefixBits(ipv4Bytes(ip), this.rule.ipv4Prefix)}`;
    const bytes = ipv6Bytes(ip);
    // ::ffff:a.b.c.d in any spelling is an IPv4 peer.
    if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `4/${prefixBits(bytes.slice(12), this.rule.ipv4Prefix)}`;
    return `6/${prefixBits(bytes, this.rule.ipv6Prefix)}`;
  }
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** The 16 bytes of a valid IPv6 literal (`::` expanded, a dotted IPv4 tail read as its 4 bytes). */
function ipv6Bytes(ip: string): number[] {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const words = (part: string | undefined) =>
    part === undefined || part === ''
      ? []
      : part.split(':').flatMap((w) => {
          if (!w.includes('.')) return [parseInt(w, 16)];
          const [a, b, c, d] = ipv4Bytes(w);
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = words(head);
  const right = words(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

/** The first `prefix` bits of `bytes` as text (the rest zeroed). */
function prefixBits(bytes: number[], prefix: number): string {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - 8 * i));
    return (b & (0xff << (8 - keep)) & 0xff).toString(16);
  }).join('.');
}

/** The IP whose subnet counts for `host` (IPv4-mapped IPv6 as its IPv4), or undefined when it has none that counts. */
function subnetIp(host: string): string | undefined {
  const mapped = MAPPED_V4.exec(host);
  const ip = mapped !== null ? mapped[1] : host;
  if (!isIPv4(ip) && !isIPv6(ip)) return undefined;
  return isLoopbackIp(ip) ? undefined : ip;
}

function isIpLiteral(host: string): boolean {
  return isIPv4(host) || isIPv6(host);
}
