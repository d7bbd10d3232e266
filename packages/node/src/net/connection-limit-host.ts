import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a per-IP inbound limit counts a clearnet peer under, as monerod's
 * `is_same_p2p_connection_limit_host` (p2p/net_node.inl) does: an IPv4 address is itself (an
 * IPv4-mapped IPv6 address too); a public IPv6 address counts as its /64, because one host
 * usually holds a whole /64 and could otherwise take every slot; loopback, link-local,
 * site-local, unique-local and multicast IPv6 addresses are themselves. Anything that is not an
 * IP literal is itself.
 */
export function connectionLimitHost(host: string): string {
  if (!isIPv6(host)) return host;
  const groups = ipv6Groups(host);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return `${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.${groups[7] & 0xff}`;
  if (!groupsByPrefix(groups)) return groups.map((g) => g.toString(16)).join(':');
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** monerod's `should_group_ipv6_by_prefix` (epee net_utils_base.cpp). */
function groupsByPrefix(g: readonly number[]): boolean {
  const unspecifiedOrLoopback = g.slice(0, 7).every((x) => x === 0) && g[7] <= 1;
  const multicast = g[0] >> 8 === 0xff;
  const linkLocal = (g[0] & 0xffc0) === 0xfe80;
  const siteLocal = (g[0] & 0xffc0) === 0xfec0;
  const uniqueLocal = (g[0] & 0xfe00) === 0xfc00;
  const v4Mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  return !unspecifiedOrLoopback && !multicast && !linkLocal && !siteLocal && !uniqueLocal && !v4Mapped;
}

/** The eight 16-bit groups of a valid IPv6 literal (`::` expanded, a trailing dotted quad read). */
export function ipv6Groups(host: string): number[] {
  let text = host.split('%')[0];
  const lastColon = text.lastIndexOf(':');
  const v4 = text.slice(lastColon + 1);
  if (isIPv4(v4)) {
    const [a, b, c, d] = v4.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string): number[] => (part.length === 0 ? [] : part.split(':').map((s) => parseInt(s, 16)));
  const gap = text.indexOf('::');
  if (gap === -1) return parse(text);
  const head = parse(text.slice(0, gap));
  const tail = parse(text.slice(gap + 2));
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}
