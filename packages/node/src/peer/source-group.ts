import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { ZONE_CLEARNET, type PeerAddress } from '@veilnode/plugin-api';
import { ipv6Groups } from '../net/connection-limit-host';

/**
 * The key the relay engine charges a peer's txs to (pool share, tx quota, strikes): on
 * clearnet the remote's address group — IPv4 /24, IPv6 /48 (an IPv4-mapped IPv6 address as its
 * IPv4), the grouping monerod's peer selection uses for subnets — so reconnecting from a
 * neighbouring address earns no fresh share; anywhere else the connection itself, because every
 * inbound of an anonymity zone arrives from the local daemon and its address says nothing.
 * Hashed: the engine sees no address.
 */
export function sourceGroup(remote: PeerAddress | undefined, connectionId: string): string {
  const prefix = remote?.zone === ZONE_CLEARNET ? addressPrefix(remote.host) : undefined;
  if (prefix === undefined) return `conn:${connectionId}`;
  return `group:${createHash('sha256').update(prefix).digest('hex').slice(0, 16)}`;
}

function addressPrefix(host: string): string | undefined {
  if (isIPv4(host)) return `${host.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(host)) return undefined;
  const g = ipv6Groups(host);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6] >> 8}.${g[6] & 0xff}.${g[7] >> 8}.0/24`;
  return `${g.slice(0, 3).map((x) => x.toString(16)).join(':')}::/48`;
}
