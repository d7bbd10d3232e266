import { getDiffieHellman, randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { b32LabelOf, destinationLength, i2pBase64Decode, i2pBase64Encode } from '@veilnode/i2p-zone';
import { SamBridgeError } from './sam-errors';

/**
 * An I2P destination and its private keys, generated here rather than by the SAM bridge because
 * @diva.exchange/i2p-sam's DEST GENERATE takes no SIGNATURE_TYPE and yields DSA_SHA1 keys.
 * `toString` and `toJSON` hide the private part so a stray log line cannot leak it.
 */
export class DestinationKeys {
  private constructor(
    /** Public destination, I2P base64: what peers connect to. */
    readonly publicDestination: string,
    private readonly privateBlob: string,
    /** `<52>.b32.i2p` of the public destination. */
    readonly b32: string,
  ) {}

  /** The full private-key blob (destination ‖ encryption key ‖ signing key) SESSION CREATE takes. */
  revealPrivate(): string {
    return this.privateBlob;
  }

  /**
   * A fresh EdDSA-SHA512-Ed25519 (SIGNATURE_TYPE=7) destination with an ElGamal (crypto type 0)
   * encryption key, the layout `DEST GENERATE SIGNATURE_TYPE=7` gives: 256-byte ElGamal public
   * key, 96 bytes of padding + 32-byte Ed25519 key, KEY certificate (type 5, len 4, sig 7, crypto
   * 0); then the 256-byte ElGamal private key and the 32-byte Ed25519 seed.
   * I2P's ElGamal group is RFC 3526's 2048-bit MODP group with g = 2, i.e. Node's `modp14`.
   */
  static generate(): DestinationKeys {
    const elgamal = getDiffieHellman('modp14');
    elgamal.generateKeys();
    const seed = ed25519.utils.randomPrivateKey();
    const destination = Buffer.concat([
      leftPad(elgamal.getPublicKey(), 256),
      randomBytes(96),
      Buffer.from(ed25519.getPublicKey(seed)),
      Buffer.from([5, 0, 4, 0, 7, 0, 0]),
    ]);
    const privateBlob = Buffer.concat([destination, leftPad(elgamal.getPrivateKey(), 256), Buffer.from(seed)]);
    return DestinationKeys.fromPrivate(i2pBase64Encode(privateBlob));
  }

  /** Keys from a stored private blob (I2P base64); the public destination is its first 387 + certlen bytes. */
  static fromPrivate(privateBase64: string): DestinationKeys {
    const blob = i2pBase64Decode(privateBase64.trim());
    const length = blob && destinationLength(blob);
    // a destination alone, without private keys after it, cannot run a session
    if (!blob || length === undefined || blob.length <= length) {
      throw new SamBridgeError('SAM_INVALID_KEY', 'stored I2P private key is malformed', { step: 'load keys' });
    }
    const destination = blob.subarray(0, length);
    return new DestinationKeys(i2pBase64Encode(destination), privateBase64.trim(), `${b32LabelOf(destination)}.b32.i2p`);
  }

  toString(): string {
    return `DestinationKeys(${this.b32})`;
  }

  toJSON(): Record<string, unknown> {
    return { b32: this.b32 };
  }
}

function leftPad(bytes: Buffer, length: number): Buffer {
  return bytes.length >= length ? bytes : Buffer.concat([Buffer.alloc(length - bytes.length), bytes]);
}
