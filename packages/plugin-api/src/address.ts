/**
 * Addresses. A PeerAddress is plain data owned by one zone; only that zone's AddressCodec may
 * create, format or convert it. Core moves PeerAddresses around without interpreting `host`.
 */

/** Zone names used by first-party plugins. Third-party zones pick their own names. */
export const ZONE_CLEARNET = 'clearnet';
export const ZONE_TOR = 'tor';
export const ZONE_I2P = 'i2p';

export interface PeerAddress {
  /** The zone this address belongs to. */
  readonly zone: string;
  /** Host in canonical text form: IPv4 dotted quad, IPv6 without brackets, `<56>.onion`, `<52>.b32.i2p`. */
  readonly host: string;
  /** TCP/virtual port, 0..65535 (I2P uses 0/1: it has no ports). */
  readonly port: number;
}

/**
 * Monero peer-list address forms (epee `network_address`, see docs/commands.md).
 * type 1 IPv4: `ip` is monerod's m_ip (octets a.b.c.d stored as a + b<<8 + c<<16 + d<<24).
 */
export type WireAddress =
  | { readonly type: 1; readonly ip: number; readonly port: number }
  | { readonly type: 2; readonly addr: Uint8Array; readonly port: number }
  | { readonly type: 3; readonly host: string; readonly port: number }
  | { readonly type: 4; readonly host: string; readonly port: number };

export const WIRE_TYPE_IPV4 = 1;
export const WIRE_TYPE_IPV6 = 2;
export const WIRE_TYPE_I2P = 3;
export const WIRE_TYPE_TOR = 4;

/**
 * Parses, validates, formats and converts the addresses of one zone.
 * Every method that takes outside input throws InvalidAddressError naming the input and why.
 */
export interface AddressCodec {
  /** The zone whose addresses this codec handles. */
  readonly zone: string;
  /** Monero wire type ids this codec reads and writes (e.g. [1, 2] for clearnet). */
  readonly wireTypes: readonly number[];
  /** True when the text looks like an address of this zone (cheap; does not fully validate). */
  claims(text: string): boolean;
  /** Parse and fully validate `host:port` text (`[v6]:port` for IPv6). */
  parse(text: string): PeerAddress;
  /** Canonical text form, the inverse of parse. */
  format(address: PeerAddress): string;
  /** To the peer-list form. */
  toWire(address: PeerAddress): WireAddress;
  /** From the peer-list form; validates like parse. */
  fromWire(wire: WireAddress): PeerAddress;
}
