import { isIP, isIPv4 } from 'node:net';

/** monerod's epee address type ids (net_utils::address_type). */
export const AddressType = { Invalid: 0, Ipv4: 1, Ipv6: 2, I2p: 3, Tor: 4 } as const;

export interface AddressFields {
  readonly host: string;
  /** The literal IP, or '' for onion/b32 hosts. */
  readonly ip: string;
  readonly port: number;
  readonly addressType: number;
}

/** Splits a zone address text (`IP:PORT`, `[IPV6]:PORT`, `name.onion:PORT`) into monerod's fields. */
export function addressFields(address: string): AddressFields {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(address);
  const i = address.lastIndexOf(':');
  const [host, portText] = bracketed ? [bracketed[1], bracketed[2]] : i > 0 ? [address.slice(0, i), address.slice(i + 1)] : [address, '0'];
  const port = Number(portText);
  const family = isIP(host);
  const addressType =
    family === 4 ? AddressType.Ipv4 : family === 6 ? AddressType.Ipv6 : host.endsWith('.onion') ? AddressType.Tor : host.endsWith('.i2p') ? AddressType.I2p : AddressType.Invalid;
  return { host, ip: family === 0 ? '' : host, port: Number.isInteger(port) ? port : 0, addressType };
}

/** An IPv4 address as monerod's u32 `ip` field: the four bytes in network order read little-endian. */
export function ipv4AsU32(ip: string): number {
  if (!isIPv4(ip)) return 0;
  const [a, b, c, d] = ip.split('.').map(Number);
  return (a | (b << 8) | (c << 16) | (d << 24)) >>> 0;
}

/** 127.0.0.0/8 or ::1. */
export function isLocalhost(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

/** RFC 1918 / unique-local addresses (monerod's `local_ip`). */
export function isPrivateIp(ip: string): boolean {
  if (isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number);
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  return /^f[cd]/i.test(ip);
}
