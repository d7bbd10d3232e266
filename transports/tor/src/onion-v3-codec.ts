import { ed25519 } from '@noble/curves/ed25519';
import { sha3_256 } from '@noble/hashes/sha3';
import { base32Decode, base32Encode, InvalidAddressError, WIRE_TYPE_TOR, ZONE_TOR, type AddressCodec, type PeerAddress, type WireAddress } from '@veilnode/plugin-api';

const ONION_VERSION = 3;
const LABEL_LENGTH = 56;
const CHECKSUM_PREFIX = new TextEncoder().encode('.onion checksum');

/** First two bytes of SHA3-256(".onion checksum" || pubkey || version) (rend-spec-v3 §6). */
function onionChecksum(publicKey: Uint8Array): Uint8Array {
  const data = new Uint8Array(CHECKSUM_PREFIX.length + 33);
  data.set(CHECKSUM_PREFIX, 0);
  data.set(publicKey, CHECKSUM_PREFIX.length);
  data[data.length - 1] = ONION_VERSION;
  return sha3_256(data).subarray(0, 2);
}

/** `<56 base32>.onion` for an ed25519 public key (32 bytes). */
export function onionHostFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new RangeError('an ed25519 public key has 32 bytes');
  const raw = new Uint8Array(35);
  raw.set(publicKey, 0);
  raw.set(onionChecksum(publicKey), 32);
  raw[34] = ONION_VERSION;
  return `${base32Encode(raw)}.onion`;
}

/**
 * Validates an onion host (`<label>.onion`, any case) and returns it lower-cased, or throws
 * InvalidAddressError naming `input` and the first rule it breaks.
 */
export function validateOnionHost(host: string, input: string = host): string {
  const fail = (reason: string): never => {
    throw new InvalidAddressError(input, reason, { zone: ZONE_TOR });
  };
  const lower = host.toLowerCase();
  if (!lower.endsWith('.onion')) fail('host must end in .onion');
  const label = lower.slice(0, -'.onion'.length);
  if (label.includes('.')) fail('subdomains of an onion address are not peer addresses');
  if (label.length === 16 && /^[a-z2-7]+$/.test(label)) {
    fail('v2 onion services no longer exist (Tor removed them in 0.4.6); use a 56-character v3 address');
  }
  if (label.length !== LABEL_LENGTH) fail(`a v3 onion name has ${LABEL_LENGTH} base32 characters before .onion, not ${label.length}`);
  const raw = base32Decode(label);
  if (!raw) fail('characters outside the base32 alphabet a-z, 2-7');
  const bytes = raw as Uint8Array;
  const publicKey = bytes.subarray(0, 32);
  if (bytes[34] !== ONION_VERSION) fail(`version byte is ${bytes[34]}, expected 3`);
  const checksum = onionChecksum(publicKey);
  if (bytes[32] !== checksum[0] || bytes[33] !== checksum[1]) fail('checksum mismatch (mistyped or corrupted address)');
  let point;
  try {
    point = ed25519.Point.fromHex(publicKey, false);
  } catch {
    return fail('embedded public key is not a valid ed25519 point');
  }
  if (point.isSmallOrder() || !point.isTorsionFree()) fail('embedded public key is not in the ed25519 prime-order subgroup');
  return lower;
}

function validatePort(port: number, input: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidAddressError(input, `port ${port} must be 1..65535`, { zone: ZONE_TOR });
  }
  return port;
}

/**
 * Tor zone addresses: `<56 base32>.onion:PORT`, canonical in lower case, fully validated (alphabet,
 * length, version byte 3, SHA3-256 checksum, ed25519 point). Monero peer lists carry them as wire
 * type 4 (`host` + `port`).
 */
export class OnionV3Codec implements AddressCodec {
  readonly zone = ZONE_TOR;
  readonly wireTypes = [WIRE_TYPE_TOR] as const;

  claims(text: string): boolean {
    return typeof text === 'string' && /\.onion(:[0-9]*)?$/i.test(text.trim());
  }

  parse(text: string): PeerAddress {
    if (typeof text !== 'string') throw new InvalidAddressError(String(text), 'not a string', { zone: ZONE_TOR });
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw new InvalidAddressError(text, 'missing :PORT after the onion name', { zone: ZONE_TOR });
    const portText = text.slice(colon + 1);
    if (!/^[0-9]{1,5}$/.test(portText)) throw new InvalidAddressError(text, `port ${JSON.stringify(portText)} is not a number 1..65535`, { zone: ZONE_TOR });
    const host = validateOnionHost(text.slice(0, colon), text);
    return { zone: ZONE_TOR, host, port: validatePort(Number(portText), text) };
  }

  format(address: PeerAddress): string {
    this.checkZone(address);
    return `${address.host}:${address.port}`;
  }

  toWire(address: PeerAddress): WireAddress {
    this.checkZone(address);
    return { type: WIRE_TYPE_TOR, host: address.host, port: address.port };
  }

  fromWire(wire: WireAddress): PeerAddress {
    if (wire.type !== WIRE_TYPE_TOR) {
      throw new InvalidAddressError(JSON.stringify(wire), `wire type ${wire.type} is not Tor (4)`, { zone: ZONE_TOR });
    }
    const input = `${wire.host}:${wire.port}`;
    if (typeof wire.host !== 'string') throw new InvalidAddressError(input, 'host is not a string', { zone: ZONE_TOR });
    return { zone: ZONE_TOR, host: validateOnionHost(wire.host, input), port: validatePort(wire.port, input) };
  }

  private checkZone(address: PeerAddress): void {
    if (address.zone !== ZONE_TOR) {
      throw new InvalidAddressError(`${address.host}:${address.port}`, `belongs to zone ${address.zone}, not ${ZONE_TOR}`, { zone: ZONE_TOR });
    }
    validateOnionHost(address.host, `${address.host}:${address.port}`);
    validatePort(address.port, `${address.host}:${address.port}`);
  }
}
