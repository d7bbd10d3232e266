import { sha256 } from '@noble/hashes/sha256';
import { base32Encode, InvalidAddressError } from '@veilnode/plugin-api';

/**
 * I2P destinations in I2P's base64 alphabet (`-` and `~` instead of `+` and `/`), as SAM sends
 * and expects them. A destination is 256 bytes of encryption key, 128 bytes of signing key, and
 * a certificate: type (1 byte), length (u16 BE at offset 385), payload. Its `.b32.i2p` name is
 * the base32 of SHA-256 over exactly those 387 + certlen bytes.
 */
const HEADER_LENGTH = 387;
const CERT_LENGTH_OFFSET = 385;
/** Longest destination the spec allows (KEY cert with excess key data); guards hostile input. */
const MAX_DESTINATION_LENGTH = 1024;
const I2P_BASE64 = /^[A-Za-z0-9~-]+={0,2}$/;

export function i2pBase64Decode(text: string): Uint8Array | undefined {
  if (!I2P_BASE64.test(text) || text.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(text.replace(/-/g, '+').replace(/~/g, '/'), 'base64'));
}

export function i2pBase64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '~');
}

/** Length of the destination at the start of `bytes` (a destination or a private-key blob). */
export function destinationLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < HEADER_LENGTH) return undefined;
  const length = HEADER_LENGTH + ((bytes[CERT_LENGTH_OFFSET] << 8) | bytes[CERT_LENGTH_OFFSET + 1]);
  return length <= bytes.length && length <= MAX_DESTINATION_LENGTH ? length : undefined;
}

/** Validates an I2P-base64 public destination and returns its bytes; throws InvalidAddressError. */
export function parseDestination(text: string): Uint8Array {
  const bytes = i2pBase64Decode(text);
  if (!bytes) throw new InvalidAddressError(abbreviate(text), 'not I2P base64 (A-Z a-z 0-9 - ~)');
  const length = destinationLength(bytes);
  if (length === undefined || length !== bytes.length) {
    throw new InvalidAddressError(abbreviate(text), `not an I2P destination (${bytes.length} bytes)`);
  }
  return bytes;
}

/** The 52-character b32 label (without `.b32.i2p`) of destination bytes. */
export function b32LabelOf(destination: Uint8Array): string {
  return base32Encode(sha256(destination));
}

/** Destinations are long; error messages and logs show only their start. */
function abbreviate(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…(${text.length} chars)` : text;
}
