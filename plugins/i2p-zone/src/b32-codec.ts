import { base32Decode, InvalidAddressError, WIRE_TYPE_I2P, ZONE_I2P, type AddressCodec, type PeerAddress, type WireAddress } from '@veilnode/plugin-api';
import { b32LabelOf, parseDestination } from './destination';

const B32_SUFFIX = '.b32.i2p';
const LABEL_LENGTH = 52;
const HASH_LENGTH = 32;
/**
 * I2P has no ports. monerod 0.18.3.2+ writes 1 for every I2P peer and i2pd's SOCKS proxy rejects
 * port 0, so a missing port and a peer-sent 0 both become 1. Other ports are kept: monerod
 * 0.18.0.0 stores and gossips the real `--anonymous-inbound` port, and an operator's server
 * tunnel may filter on it (i2pd `inport`), so dropping it could make such peers unreachable.
 */
export const I2P_DEFAULT_PORT = 1;

/**
 * The I2P zone's address codec: `<52 base32>.b32.i2p[:PORT]`, lower-cased, validated to decode to
 * a 32-byte hash. Full I2P-base64 destinations (what SAM hands out) are accepted too and reduced
 * to their b32 name, so peer lists and logs only ever carry the short form.
 */
export class B32Codec implements AddressCodec {
  readonly zone = ZONE_I2P;
  readonly wireTypes: readonly number[] = [WIRE_TYPE_I2P];

  claims(text: string): boolean {
    return /\.b32\.i2p(:\d*)?$/i.test(text.trim());
  }

  parse(text: string): PeerAddress {
    const trimmed = text.trim();
    const match = /^([^:]+?)(?::(\d{1,5}))?$/.exec(trimmed);
    if (!match) throw new InvalidAddressError(text, 'expected <52 base32>.b32.i2p[:PORT] or an I2P destination');
    const [, hostText, portText] = match;
    const port = portText === undefined ? I2P_DEFAULT_PORT : parsePort(text, Number(portText));
    if (!hostText.toLowerCase().endsWith(B32_SUFFIX)) {
      return { zone: ZONE_I2P, host: hostOfDestination(hostText), port };
    }
    return { zone: ZONE_I2P, host: validateB32Host(text, hostText), port };
  }

  format(address: PeerAddress): string {
    this.assertOwn(address);
    return address.port === I2P_DEFAULT_PORT ? address.host : `${address.host}:${address.port}`;
  }

  toWire(address: PeerAddress): WireAddress {
    this.assertOwn(address);
    return { type: WIRE_TYPE_I2P, host: address.host, port: address.port };
  }

  fromWire(wire: WireAddress): PeerAddress {
    if (wire.type !== WIRE_TYPE_I2P) {
      throw new InvalidAddressError(`wire type ${wire.type}`, 'the I2P zone reads only wire type 3');
    }
    const port = parsePort(wire.host, wire.port);
    return { zone: ZONE_I2P, host: validateB32Host(wire.host, wire.host), port };
  }

  /** The b32 address of a full I2P-base64 destination (e.g. the line SAM writes on accepted streams). */
  fromDestination(destination: string, port = I2P_DEFAULT_PORT): PeerAddress {
    return { zone: ZONE_I2P, host: hostOfDestination(destination), port: parsePort(destination, port) };
  }

  private assertOwn(address: PeerAddress): void {
    if (address.zone !== ZONE_I2P) {
      throw new InvalidAddressError(address.host, `belongs to zone ${address.zone}, not ${ZONE_I2P}`);
    }
    validateB32Host(address.host, address.host);
    parsePort(address.host, address.port);
  }
}

function parsePort(input: string, port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidAddressError(input, `port ${port} is not in 0..65535`);
  }
  return port === 0 ? I2P_DEFAULT_PORT : port;
}

function validateB32Host(input: string, host: string): string {
  const lower = host.toLowerCase();
  if (!lower.endsWith(B32_SUFFIX)) throw new InvalidAddressError(input, `host does not end in ${B32_SUFFIX}`);
  const label = lower.slice(0, -B32_SUFFIX.length);
  if (label.length !== LABEL_LENGTH) {
    throw new InvalidAddressError(input, `b32 label has ${label.length} characters, expected ${LABEL_LENGTH}`);
  }
  const hash = base32Decode(label);
  if (!hash) throw new InvalidAddressError(input, 'b32 label is not base32 (a-z 2-7) or has non-zero trailing bits');
  if (hash.length !== HASH_LENGTH) throw new InvalidAddressError(input, `b32 label decodes to ${hash.length} bytes, expected 32`);
  return lower;
}

function hostOfDestination(destination: string): string {
  return `${b32LabelOf(parseDestination(destination))}${B32_SUFFIX}`;
}
