import path from 'node:path';
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils';
import { toHex } from './hex';
import { readKeyFile, secretField, writeKeyFile } from './key-file';

export const SERVER_KEY_FILE = 'server-keys.json';
const SEALING_CERT_CONTEXT = utf8ToBytes('veilnode split-query sealing key v1');

/** The bytes an identity signs to vouch for a sealing key until `expires` (unix seconds). */
export function sealingCertMessage(sealingPublic: Uint8Array, expires: number): Uint8Array {
  const when = new Uint8Array(8);
  new DataView(when.buffer).setBigUint64(0, BigInt(expires));
  return concatBytes(SEALING_CERT_CONTEXT, sealingPublic, when);
}

/** A server's public face: what goes into its directory entry. */
export interface ServerPublicKeys {
  /** Ed25519 identity public key, hex: the server's id. */
  readonly id: string;
  /** X25519 sealing public key, hex. */
  readonly sealingKey: string;
  /** Unix seconds after which the sealing key must not be used. */
  readonly expires: number;
  /** The identity's signature over (sealingKey, expires), hex. */
  readonly sealingSignature: string;
}

/**
 * A server's long-term Ed25519 identity and its current X25519 sealing key, signed by the
 * identity with an expiry. Secrets live only in this object and the 0600 key file; toJSON and
 * inspection show the public half, so a stray log line cannot leak them.
 */
export class ServerKeys {
  readonly identityPublic: Uint8Array;
  readonly sealingPublic: Uint8Array;
  readonly public: ServerPublicKeys;

  private constructor(
    private readonly identitySecret: Uint8Array,
    private readonly sealingSecretKey: Uint8Array,
    readonly expires: number,
  ) {
    this.identityPublic = ed25519.getPublicKey(identitySecret);
    this.sealingPublic = x25519.getPublicKey(sealingSecretKey);
    this.public = Object.freeze({
      id: toHex(this.identityPublic),
      sealingKey: toHex(this.sealingPublic),
      expires,
      sealingSignature: toHex(ed25519.sign(sealingCertMessage(this.sealingPublic, expires), identitySecret)),
    });
  }

  /** New identity and sealing key (tests and first start). */
  static generate(nowSeconds: number, lifetimeSeconds: number): ServerKeys {
    return new ServerKeys(ed25519.utils.randomPrivateKey(), x25519.utils.randomPrivateKey(), nowSeconds + lifetimeSeconds);
  }

  /**
   * Load `<dir>/server-keys.json`, creating it on first use. A sealing key that has expired (or
   * expires within a tenth of its lifetime) is replaced by a fresh one; the identity never changes.
   */
  static loadOrCreate(dir: string, nowSeconds: number, lifetimeSeconds: number): ServerKeys {
    const file = path.join(dir, SERVER_KEY_FILE);
    const content = readKeyFile(file);
    let keys: ServerKeys;
    if (content === undefined) {
      keys = ServerKeys.generate(nowSeconds, lifetimeSeconds);
    } else {
      const identity = secretField(file, content, 'identitySecret');
      const sealing = secretField(file, content, 'sealingSecret');
      const expires = typeof content.sealingExpires === 'number' && Number.isSafeInteger(content.sealingExpires) ? content.sealingExpires : 0;
      keys = expires - nowSeconds > lifetimeSeconds / 10 ? new ServerKeys(identity, sealing, expires) : new ServerKeys(identity, x25519.utils.randomPrivateKey(), nowSeconds + lifetimeSeconds);
      if (keys.expires === expires) return keys;
    }
    writeKeyFile(file, { identitySecret: toHex(keys.identitySecret), sealingSecret: toHex(keys.sealingSecretKey), sealingExpires: keys.expires });
    return keys;
  }

  get sealingSecret(): Uint8Array {
    return this.sealingSecretKey;
  }

  /** Sign with the identity key (relays authenticate the requests they forward with it). */
  sign(message: Uint8Array): Uint8Array {
    return ed25519.sign(message, this.identitySecret);
  }

  toJSON(): ServerPublicKeys {
    return this.public;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `ServerKeys(${this.public.id})`;
  }
}
