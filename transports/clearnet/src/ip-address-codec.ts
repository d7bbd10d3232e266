import { InvalidAddressError, MAX_PORT, isPort, parsePort, WIRE_TYPE_IPV4, WIRE_TYPE_IPV6, ZONE_CLEARNET, type AddressCodec, type PeerAddress, type WireAddress } from '@veilnode/plugin-api';
import { formatIpv4, formatIpv6, ipv4Bytes, ipv6Bytes, isIpv4Mapped, joinHostPort } from './ip-literal';

/** Cheap shape checks for claims(): dotted quad or bracketed IPv6, then a port. */
const LOOKS_LIKE_IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}:\d+$/;
const LOOKS_LIKE_IPV6 = /^\[[0-9A-Fa-f:.]+\]:\d+$/;

/** An IP literal of either family, canonical: IPv4-mapped IPv6 becomes IPv4. */
interface IpLiteral {
  readonly host: string;
  readonly bytes: Uint8Array;
  readonly family: 4 | 6;
}

/**
 * Clearnet addresses: `1.2.3.4:18080` and `[2001:db8::1]:18080`. Only IP literals: a host name
 * would need a DNS lookup, which a node must never do on its own. IPv4-mapped IPv6 addresses
 * are the IPv4 address they carry, so one peer has one canonical form. Peer-list forms are
 * monerod's type 1 (`m_ip`: octet a.b.c.d stored as a + b·2^8 + c·2^16 + d·2^24) and type 2
 * (16 bytes in network order).
 */
export class IpAddressCodec implements AddressCodec {
  readonly zone = ZONE_CLEARNET;
  readonly wireTypes = [WIRE_TYPE_IPV4, WIRE_TYPE_IPV6] as const;

  claims(text: string): boolean {
    return LOOKS_LIKE_IPV4.test(text) || LOOKS_LIKE_IPV6.test(text);
  }

  parse(text: string): PeerAddress {
    if (typeof text !== 'string') throw new InvalidAddressError(String(text), 'not a string');
    const { hostText, portText } = splitHostPort(text);
    const ip = hostText.bracketed ? parseIpv6Host(text, hostText.value) : parseIpv4Host(text, hostText.value);
    return this.address(ip.host, parsePort(text, portText));
  }

  format(address: PeerAddress): string {
    return joinHostPort(this.validate(address).host, address.port);
  }

  toWire(address: PeerAddress): WireAddress {
    const ip = this.validate(address);
    return ip.family === 4
      ? { type: WIRE_TYPE_IPV4, ip: ip.bytes[0] + ip.bytes[1] * 2 ** 8 + ip.bytes[2] * 2 ** 16 + ip.bytes[3] * 2 ** 24, port: address.port }
      : { type: WIRE_TYPE_IPV6, addr: Uint8Array.from(ip.bytes), port: address.port };
  }

  fromWire(wire: WireAddress): PeerAddress {
    const input = describeWire(wire);
    if (!isPort(wire.port)) throw new InvalidAddressError(input, `port ${String(wire.port)} is outside 0..${MAX_PORT}`);
    if (wire.type === WIRE_TYPE_IPV4) {
      if (!Number.isInteger(wire.ip) || wire.ip < 0 || wire.ip > 0xffffffff) {
        throw new InvalidAddressError(input, 'm_ip is not a 32-bit unsigned integer');
      }
      const bytes = Uint8Array.of(wire.ip & 0xff, (wire.ip >>> 8) & 0xff, (wire.ip >>> 16) & 0xff, wire.ip >>> 24);
      return this.address(formatIpv4(bytes), wire.port);
    }
    if (wire.type === WIRE_TYPE_IPV6) {
      if (!(wire.addr instanceof Uint8Array) || wire.addr.length !== 16) {
        throw new InvalidAddressError(input, 'an IPv6 address needs exactly 16 bytes');
      }
      return this.address(literalFromBytes(wire.addr).host, wire.port);
    }
    throw new InvalidAddressError(input, `wire type ${String((wire as { type: unknown }).type)} is not a clearnet address (types 1, 2)`);
  }

  /** The clearnet address of a socket's peer (Node reports `::ffff:1.2.3.4` on dual-stack sockets). */
  fromSocket(host: string, port: number): PeerAddress {
    const ip = literalOf(host);
    if (!ip || !isPort(port)) throw new InvalidAddressError(joinHostPort(host, port), 'not an IP socket address');
    return this.address(ip.host, port);
  }

  private address(host: string, port: number): PeerAddress {
    return { zone: this.zone, host, port };
  }

  private validate(address: PeerAddress): IpLiteral {
    // the input is described only for an error: this runs for every accepted connection
    const invalid = (reason: string): InvalidAddressError => new InvalidAddressError(JSON.stringify(address), reason);
    if (address.zone !== this.zone) throw invalid(`belongs to zone ${address.zone}, not ${this.zone}`);
    if (!isPort(address.port)) throw invalid(`port ${address.port} is outside 0..${MAX_PORT}`);
    const ip = literalOf(address.host);
    if (!ip) throw invalid('host is not an IP address');
    return ip;
  }
}

function splitHostPort(text: string): { hostText: { value: string; bracketed: boolean }; portText: string } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new InvalidAddressError(text, "IPv6 address has no closing ']'");
    if (text[close + 1] !== ':') throw new InvalidAddressError(text, 'missing port (write [IPv6]:PORT)');
    return { hostText: { value: text.slice(1, close), bracketed: true }, portText: text.slice(close + 2) };
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw new InvalidAddressError(text, 'missing port (write IP:PORT)');
  const host = text.slice(0, colon);
  if (host.includes(':')) throw new InvalidAddressError(text, 'IPv6 addresses need brackets, e.g. [::1]:18080');
  return { hostText: { value: host, bracketed: false }, portText: text.slice(colon + 1) };
}

function parseIpv4Host(input: string, host: string): IpLiteral {
  const bytes = ipv4Bytes(host);
  if (bytes) return { host, bytes, family: 4 };
  if (!/^[\d.]+$/.test(host)) throw new InvalidAddressError(input, 'host names are not accepted, only IP addresses (no DNS lookups)');
  if (host.split('.').some((octet) => /^0\d/.test(octet))) {
    throw new InvalidAddressError(input, 'IPv4 octets must not have leading zeros (ambiguous: octal or decimal?)');
  }
  throw new InvalidAddressError(input, 'IPv4 needs four decimal octets 0..255');
}

function parseIpv6Host(input: string, host: string): IpLiteral {
  if (host.includes('%')) throw new InvalidAddressError(input, 'IPv6 zone ids (%interface) are not accepted');
  const bytes = ipv6Bytes(host);
  if (!bytes) throw new InvalidAddressError(input, 'not a valid IPv6 address');
  return literalFromBytes(bytes);
}

function literalFromBytes(bytes: Uint8Array): IpLiteral {
  if (isIpv4Mapped(bytes)) {
    const v4 = bytes.slice(12);
    return { host: formatIpv4(v4), bytes: v4, family: 4 };
  }
  return { host: formatIpv6(bytes), bytes: Uint8Array.from(bytes), family: 6 };
}

/** Either family, canonicalised; undefined when `host` is no IP literal. */
function literalOf(host: string): IpLiteral | undefined {
  const v4 = ipv4Bytes(host);
  if (v4) return { host, bytes: v4, family: 4 };
  const v6 = ipv6Bytes(host);
  return v6 ? literalFromBytes(v6) : undefined;
}

function describeWire(wire: WireAddress): string {
  return JSON.stringify(wire, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value));
}
