import { chacha20poly1305 } from '@noble/ciphers/chacha';
import { x25519 } from '@noble/curves/ed25519';
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha256';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils';
import { SplitQueryError, SplitQueryErrorCode } from './errors';
import { ANSWER_BUCKETS_BYTES, REQUEST_BUCKET_BYTES, pad, unpad } from './padding';

/**
 * Sealed boxes: X25519 with a fresh ephemeral key, HKDF-SHA256, ChaCha20-Poly1305.
 *
 * Request: `version | E | AEAD(k_req, padded lookup)` where E is the client's one-time key and
 * k_req = HKDF(X25519(e, S)), S the server's sealing key. Only the server can open it.
 *
 * Answer: `version | F | AEAD(k_ans, padded answer)` where F is the server's fresh key and
 * k_ans = HKDF(X25519(f, E) || X25519(e, S)). It is sealed to the client's one-time key E, and
 * because the request's shared secret goes in too, the relay (which sees E) cannot forge an
 * answer by sealing its own: only the server that opened the request can.
 *
 * Every key is used for exactly one message, so the all-zero AEAD nonce is safe.
 */
export const SEAL_VERSION = 1;
const KEY_BYTES = 32;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_BYTES;
const ZERO_NONCE = new Uint8Array(12);
const REQUEST_INFO = utf8ToBytes('veilnode split-query request v1');
const ANSWER_INFO = utf8ToBytes('veilnode split-query answer v1');

/** Size of every sealed request on the wire. */
export const SEALED_REQUEST_BYTES = HEADER_BYTES + REQUEST_BUCKET_BYTES + TAG_BYTES;
/** Sizes a sealed answer may have on the wire (one per bucket). */
export const SEALED_ANSWER_SIZES: readonly number[] = ANSWER_BUCKETS_BYTES.map((b) => HEADER_BYTES + b + TAG_BYTES);

/** What the client keeps to open the answer: the secret of its one-time key and the request's shared secret. */
export interface RequestSecrets {
  readonly ephemeralSecret: Uint8Array;
  readonly ephemeralPublic: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

function requestKey(shared: Uint8Array, ephemeralPublic: Uint8Array, serverPublic: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, concatBytes(ephemeralPublic, serverPublic), REQUEST_INFO, KEY_BYTES);
}

function answerKey(answerShared: Uint8Array, requestShared: Uint8Array, answerPublic: Uint8Array, ephemeralPublic: Uint8Array): Uint8Array {
  return hkdf(sha256, concatBytes(answerShared, requestShared), concatBytes(answerPublic, ephemeralPublic), ANSWER_INFO, KEY_BYTES);
}

/** X25519 that refuses low-order public keys (an all-zero shared secret would make the key public). */
function agree(secret: Uint8Array, publicKey: Uint8Array): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, publicKey);
  } catch (error) {
    throw badSeal(`bad public key: ${(error as Error).message}`);
  }
  if (shared.every((b) => b === 0)) throw badSeal('low-order public key');
  return shared;
}

function badSeal(reason: string): SplitQueryError {
  return new SplitQueryError(SplitQueryErrorCode.BadSeal, `sealed message cannot be opened: ${reason}`, { reason });
}

function splitSealed(sealed: Uint8Array, sizes: readonly number[], what: string): { key: Uint8Array; box: Uint8Array } {
  if (!sizes.includes(sealed.length)) throw badSeal(`${what} of ${sealed.length} bytes is not a sealed size`);
  if (sealed[0] !== SEAL_VERSION) throw badSeal(`${what} version ${sealed[0]} is not ${SEAL_VERSION}`);
  return { key: sealed.subarray(1, HEADER_BYTES), box: sealed.subarray(HEADER_BYTES) };
}

function open(key: Uint8Array, box: Uint8Array, what: string): Uint8Array {
  try {
    return chacha20poly1305(key, ZERO_NONCE).decrypt(box);
  } catch {
    throw badSeal(`${what} failed authentication (tampered or sealed to another key)`);
  }
}

/** Seal a lookup to a server's X25519 sealing key with a fresh one-time key. */
export function sealRequest(plaintext: Uint8Array, serverPublic: Uint8Array): { sealed: Uint8Array; secrets: RequestSecrets } {
  const ephemeralSecret = x25519.utils.randomPrivateKey();
  const ephemeralPublic = x25519.getPublicKey(ephemeralSecret);
  const sharedSecret = agree(ephemeralSecret, serverPublic);
  const box = chacha20poly1305(requestKey(sharedSecret, ephemeralPublic, serverPublic), ZERO_NONCE).encrypt(pad(plaintext, [REQUEST_BUCKET_BYTES]));
  return { sealed: concatBytes(Uint8Array.of(SEAL_VERSION), ephemeralPublic, box), secrets: { ephemeralSecret, ephemeralPublic, sharedSecret } };
}

/** What the server learns from a request: the lookup, and what it needs to seal the answer. */
export interface OpenedRequest {
  readonly plaintext: Uint8Array;
  readonly ephemeralPublic: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

export function openRequest(sealed: Uint8Array, serverSecret: Uint8Array, serverPublic: Uint8Array): OpenedRequest {
  const { key: ephemeralPublic, box } = splitSealed(sealed, [SEALED_REQUEST_BYTES], 'request');
  const sharedSecret = agree(serverSecret, ephemeralPublic);
  const padded = open(requestKey(sharedSecret, ephemeralPublic, serverPublic), box, 'request');
  return { plaintext: unpad(padded, [REQUEST_BUCKET_BYTES]), ephemeralPublic: Uint8Array.from(ephemeralPublic), sharedSecret };
}

/** Seal an answer to the client's one-time key, bound to the request's shared secret. */
export function sealAnswer(plaintext: Uint8Array, request: Pick<OpenedRequest, 'ephemeralPublic' | 'sharedSecret'>): Uint8Array {
  const answerSecret = x25519.utils.randomPrivateKey();
  const answerPublic = x25519.getPublicKey(answerSecret);
  const key = answerKey(agree(answerSecret, request.ephemeralPublic), request.sharedSecret, answerPublic, request.ephemeralPublic);
  const box = chacha20poly1305(key, ZERO_NONCE).encrypt(pad(plaintext, ANSWER_BUCKETS_BYTES));
  return concatBytes(Uint8Array.of(SEAL_VERSION), answerPublic, box);
}

export function openAnswer(sealed: Uint8Array, secrets: RequestSecrets): Uint8Array {
  const { key: answerPublic, box } = splitSealed(sealed, SEALED_ANSWER_SIZES, 'answer');
  const key = answerKey(agree(secrets.ephemeralSecret, answerPublic), secrets.sharedSecret, answerPublic, secrets.ephemeralPublic);
  return unpad(open(key, box, 'answer'), ANSWER_BUCKETS_BYTES);
}
