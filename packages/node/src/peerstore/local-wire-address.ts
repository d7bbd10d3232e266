import type { WireAddress } from '@veilnode/plugin-api';

/**
 * True for loopback and unspecified IP addresses in peer-list form (127.0.0.0/8, 0.0.0.0, ::1,
 * ::, and their IPv4-mapped IPv6 forms). monerod drops such entries from received peer lists;
 * so do we, except in loopback tests.
 */
export function isLoopbackOrUnspecified(wire: WireAddress): boolean {
  if (wire.type === 1) {
    const firstOctet = wire.ip & 0xff; // m_ip holds a.b.c.d as little-endian bytes
    return wire.ip === 0 || firstOctet === 127;
  }
  if (wire.type === 2) {
    const a = wire.addr;
    if (a.length !== 16) return false;
    const zeroPrefix = (n: number): boolean => a.subarray(0, n).every((b) => b === 0);
    if (zeroPrefix(15)) return a[15] === 0 || a[15] === 1;
    if (zeroPrefix(10) && a[10] === 0xff && a[11] === 0xff) {
      return a[12] === 127 || (a[12] === 0 && a[13] === 0 && a[14] === 0 && a[15] === 0);
    }
  }
  return false;
}
