import { isIP } from 'node:net';
import { InvalidAddressError, parsePort } from '@veilnode/plugin-api';

const ONION = /^[a-z2-7]{56}\.onion$/;
const B32 = /^[a-z2-7]{52}\.b32\.i2p$/;

/**
 * Checks a server's reachable address as a directory may list it: clearnet `IP:PORT`
 * (`[IPv6]:PORT`), `<56>.onion:PORT` or `<52>.b32.i2p[:PORT]`. Which transport dials it is the
 * node's business (the zone whose codec claims it); this only keeps junk out of directories.
 * Throws InvalidAddressError naming the address.
 */
export function checkServerAddress(text: string): string {
  if (B32.test(text)) return text;
  const colon = text.lastIndexOf(':');
  if (colon <= 0) throw new InvalidAddressError(text, 'expected IP:PORT, <onion>.onion:PORT or <b32>.b32.i2p[:PORT]');
  const host = text.slice(0, colon);
  const port = parsePort(text, text.slice(colon + 1));
  if (port === 0) throw new InvalidAddressError(text, 'port 0 cannot be dialed');
  if (ONION.test(host) || B32.test(host)) return text;
  const ipv6 = /^\[(.+)\]$/.exec(host);
  if (ipv6 !== null ? isIP(ipv6[1]) === 6 : isIP(host) === 4) return text;
  throw new InvalidAddressError(text, `host ${JSON.stringify(host)} is not an IPv4 literal, [IPv6] literal, v3 .onion or .b32.i2p name`);
}
