import { expect } from 'chai';
import { x25519 } from '@noble/curves/ed25519';
import { chacha20poly1305 } from '@noble/ciphers/chacha';
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha256';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils';
import { SplitQueryError, SplitQueryErrorCode } from '../src/errors';
import { ANSWER_BUCKETS_BYTES, REQUEST_BUCKET_BYTES, pad, unpad } from '../src/padding';
import { SEALED_ANSWER_SIZES, SEALED_REQUEST_BYTES, SEAL_VERSION, openAnswer, openRequest, sealAnswer, sealRequest } from '../src/sealing';

function serverKey(): { secret: Uint8Array; public: Uint8Array } {
  const secret = x25519.utils.randomPrivateKey();
  return { secret, public: x25519.getPublicKey(secret) };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(SplitQueryError);
    return (error as SplitQueryError).code;
  }
  throw new Error('expected a SplitQueryError');
}

describe('split-query sealing', () => {
  const lookup = utf8ToBytes(JSON.stringify({ method: 'get_transactions', params: { txs_hashes: ['ab'.repeat(32)] } }));

  it('round-trips a request and its answer, with a fresh one-time key per request', () => {
    const server = serverKey();
    const a = sealRequest(lookup, server.public);
    const b = sealRequest(lookup, server.public);
    expect(Buffer.from(a.secrets.ephemeralPublic).equals(Buffer.from(b.secrets.ephemeralPublic))).to.equal(false);
    expect(Buffer.from(a.sealed).equals(Buffer.from(b.sealed))).to.equal(false);
    const opened = openRequest(a.sealed, server.secret, server.public);
    expect(Buffer.from(opened.plaintext).toString()).to.equal(Buffer.from(lookup).toString());
    const answer = sealAnswer(utf8ToBytes('{"spent_status":[1]}'), opened);
    expect(Buffer.from(openAnswer(answer, a.secrets)).toString()).to.equal('{"spent_status":[1]}');
  });

  it('makes every sealed request the same size and answers one of the fixed bucket sizes', () => {
    const server = serverKey();
    const sizes = new Set([1, 50, 700, REQUEST_BUCKET_BYTES - 4].map((n) => sealRequest(new Uint8Array(n).fill(7), server.public).sealed.length));
    expect([...sizes]).to.deep.equal([SEALED_REQUEST_BYTES]);
    const opened = openRequest(sealRequest(lookup, server.public).sealed, server.secret, server.public);
    const answerSizes = [10, 16_400, 200_000].map((n) => sealAnswer(new Uint8Array(n), opened).length);
    expect(answerSizes).to.deep.equal(SEALED_ANSWER_SIZES);
    expect(sealAnswer(new Uint8Array(10), opened).length).to.equal(sealAnswer(new Uint8Array(9000), opened).length);
  });

  it('refuses a request sealed to another server, and one with any byte flipped', () => {
    const server = serverKey();
    const other = serverKey();
    const { sealed } = sealRequest(lookup, server.public);
    expect(code(() => openRequest(sealed, other.secret, other.public))).to.equal(SplitQueryErrorCode.BadSeal);
    for (const at of [0, 1, 40, sealed.length - 1]) {
      const tampered = Uint8Array.from(sealed);
      tampered[at] ^= 0x01;
      expect(code(() => openRequest(tampered, server.secret, server.public)), `byte ${at}`).to.equal(SplitQueryErrorCode.BadSeal);
    }
    expect(code(() => openRequest(sealed.subarray(1), server.secret, server.public))).to.equal(SplitQueryErrorCode.BadSeal);
  });

  it('detects a tampered answer and an answer the relay sealed itself to the client\'s one-time key', () => {
    const server = serverKey();
    const { sealed, secrets } = sealRequest(lookup, server.public);
    const answer = sealAnswer(utf8ToBytes('{"ok":1}'), openRequest(sealed, server.secret, server.public));
    const tampered = Uint8Array.from(answer);
    tampered[100] ^= 0x80;
    expect(code(() => openAnswer(tampered, secrets))).to.equal(SplitQueryErrorCode.BadSeal);
    // The relay sees the one-time key E (bytes 1..33 of the request) but not X25519(e, S):
    // an answer built from X25519(f, E) alone must not open.
    const ephemeralPublic = sealed.subarray(1, 33);
    const forgedSecret = x25519.utils.randomPrivateKey();
    const forgedPublic = x25519.getPublicKey(forgedSecret);
    const key = hkdf(sha256, x25519.getSharedSecret(forgedSecret, ephemeralPublic), concatBytes(forgedPublic, ephemeralPublic), utf8ToBytes('veilnode split-query answer v1'), 32);
    const forged = concatBytes(Uint8Array.of(SEAL_VERSION), forgedPublic, chacha20poly1305(key, new Uint8Array(12)).encrypt(pad(utf8ToBytes('{"lie":1}'), ANSWER_BUCKETS_BYTES)));
    expect(code(() => openAnswer(forged, secrets))).to.equal(SplitQueryErrorCode.BadSeal);
    // An answer to another request of the same client does not open either.
    const second = sealRequest(lookup, server.public);
    const otherAnswer = sealAnswer(utf8ToBytes('{"ok":2}'), openRequest(second.sealed, server.secret, server.public));
    expect(code(() => openAnswer(otherAnswer, secrets))).to.equal(SplitQueryErrorCode.BadSeal);
  });

  it('refuses a low-order one-time key instead of deriving a public key', () => {
    const server = serverKey();
    const { sealed } = sealRequest(lookup, server.public);
    const zeroKey = Uint8Array.from(sealed);
    zeroKey.fill(0, 1, 33);
    expect(code(() => openRequest(zeroKey, server.secret, server.public))).to.equal(SplitQueryErrorCode.BadSeal);
  });
});

describe('split-query padding', () => {
  it('pads to the smallest bucket that holds the data and back', () => {
    const block = pad(new Uint8Array([1, 2, 3]), [8, 16]);
    expect(block.length).to.equal(8);
    expect([...unpad(block, [8, 16])]).to.deep.equal([1, 2, 3]);
    expect(pad(new Uint8Array(5), [8, 16]).length).to.equal(16);
  });

  it('refuses data larger than the largest bucket, a wrong size, a long length prefix and non-zero padding', () => {
    expect(code(() => pad(new Uint8Array(13), [8, 16]))).to.equal(SplitQueryErrorCode.TooLarge);
    expect(code(() => unpad(new Uint8Array(9), [8, 16]))).to.equal(SplitQueryErrorCode.BadPadding);
    const long = pad(new Uint8Array(1), [8]);
    long[3] = 9;
    expect(code(() => unpad(long, [8]))).to.equal(SplitQueryErrorCode.BadPadding);
    const dirty = pad(new Uint8Array(1), [8]);
    dirty[7] = 1;
    expect(code(() => unpad(dirty, [8]))).to.equal(SplitQueryErrorCode.BadPadding);
  });
});
