import { isIPv4, isIPv6 } from 'node:net';

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback: binds only this host can reach. */
export function isLoopbackIp(ip: string): boolean {
  if (isIPv4(ip)) return ip.startsWith('127.');
  if (!isIPv6(ip)) return false;
  const lower = ip.toLowerCase();
  if (lower.startsWith('::ffff:')) return isLoopbackIp(lower.slice(7));
  return lower === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(lower);
}
