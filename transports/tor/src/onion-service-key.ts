import { ed25519 } from '@noble/curves/ed25519';
import { sha512 } from '@noble/hashes/sha2';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError, writeFileAtomic } from '@veilnode/plugin-api';
import { onionHostFromPublicKey } from './onion-v3-codec';

const BLOB_PREFIX = 'ED25519-V3:';

/**
 * The ed25519 key of our own onion service, in the form Tor's ADD_ONION takes: the 64-byte
 * expanded secret key (clamped scalar ‖ hash prefix). We generate it ourselves so the address is
 * known before tor runs and stays the same across restarts. The secret sits in a private field:
 * it never reaches JSON, util.inspect or logs.
 */
export class OnionServiceKey {
  readonly #expandedSecret: Uint8Array;
  /** `<56>.onion` of this key. */
  readonly host: string;

  private constructor(expandedSecret: Uint8Array) {
    this.#expandedSecret = expandedSecret;
    let scalar = 0n;
    for (let i = 31; i >= 0; i--) scalar = (scalar << 8n) | BigInt(expandedSecret[i]);
    const publicKey = ed25519.Point.BASE.multiply(scalar % ed25519.CURVE.n).toBytes();
    this.host = onionHostFromPublicKey(publicKey);
  }

  /** A new key from 32 random bytes, expanded as RFC 8032 does (SHA-512, then clamping). */
  static generate(): OnionServiceKey {
    const expanded = sha512(randomBytes(32));
    expanded[0] &= 248;
    expanded[31] &= 127;
    expanded[31] |= 64;
    return new OnionServiceKey(expanded);
  }

  /** Reads `ED25519-V3:<base64 of 64 bytes>`; `source` names the file for errors. */
  static fromTorKeyBlob(blob: string, source: string): OnionServiceKey {
    const text = blob.trim();
    const bytes = text.startsWith(BLOB_PREFIX) ? Buffer.from(text.slice(BLOB_PREFIX.length), 'base64') : Buffer.alloc(0);
    if (bytes.length !== 64 || (bytes[0] & 7) !== 0 || (bytes[31] & 0xc0) !== 0x40) {
      throw new ConfigError(`onion service key file ${source} is not an ED25519-V3 expanded secret key`, { path: source });
    }
    return new OnionServiceKey(new Uint8Array(bytes));
  }

  /**
   * Loads the key from `file`, or creates it (mode 0600, directory 0700) on first run.
   * A present but unreadable or malformed file is an error, never silently replaced.
   */
  static async loadOrCreate(file: string): Promise<{ key: OnionServiceKey; created: boolean }> {
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ConfigError(`cannot read onion service key file ${file} (${(err as NodeJS.ErrnoException).code})`, { path: file });
      }
    }
    if (text !== undefined) return { key: OnionServiceKey.fromTorKeyBlob(text, file), created: false };
    const key = OnionServiceKey.generate();
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, `${key.toTorKeyBlob()}\n`);
    return { key, created: true };
  }

  /** The ADD_ONION key argument. Secret: only ever written to tor's control port or the key file. */
  toTorKeyBlob(): string {
    return `${BLOB_PREFIX}${Buffer.from(this.#expandedSecret).toString('base64')}`;
  }

  toJSON(): { host: string } {
    return { host: this.host };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `OnionServiceKey(${this.host})`;
  }
}
