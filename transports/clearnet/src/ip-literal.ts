import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP literals as bytes and canonical text. Validation is Node's own (`net.isIPv4` rejects
 * leading zeros and octets above 255; `net.isIPv6` the malformed groups); this file only adds
 * the conversions Node does not offer: text ↔ bytes and RFC 5952 formatting.
 */

/** The 4 bytes of a dotted-quad IPv4 literal, or undefined when it is not one. */
export function ipv4Bytes(text: string): Uint8Array | undefined {
  if (!isIPv4(text)) return undefined;
  return Uint8Array.from(text.split('.').map(Number));
}

/** The 16 bytes (network order) of an IPv6 literal without brackets or zone id, or undefined. */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  if (text.includes('%') || !isIPv6(text)) return undefined;
  const groups = ipv6Groups(text);
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/** Eight 16-bit groups of a literal Node already validated; an embedded IPv4 tail counts as two. */
function ipv6Groups(text: string): number[] {
  const lastColon = text.lastIndexOf(':');
  const v4 = ipv4Bytes(text.slice(lastColon + 1));
  const hex = v4
    ? `${text.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`
    : text;
  const [left, right] = hex.split('::');
  const head = left ? left.split(':') : [];
  const tail = right ? right.split(':') : [];
  const zeros: string[] = right === undefined ? [] : Array(8 - head.length - tail.length).fill('0');
  return [...head, ...zeros, ...tail].map((group) => parseInt(group, 16));
}

export function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

/** RFC 5952 text: lowercase, no leading zeros, the first longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = (part: number[]): string => part.map((group) => group.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** `::ffff:a.b.c.d` — an IPv4 address carried in IPv6 form. */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** `host:port`, bracketing IPv6 hosts. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
