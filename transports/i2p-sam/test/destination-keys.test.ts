import { createHash, getDiffieHellman } from 'node:crypto';
import { expect } from 'chai';
import { ed25519 } from '@noble/curves/ed25519';
import { base32Encode } from '@veilnode/plugin-api';
import { i2pBase64Decode } from '@veilnode/i2p-zone';
import { DestinationKeys, SamBridgeError } from '../src';

describe('DestinationKeys', () => {
  const keys = DestinationKeys.generate();
  const blob = Buffer.from(i2pBase64Decode(keys.revealPrivate()) ?? []);
  const destination = Buffer.from(i2pBase64Decode(keys.publicDestination) ?? []);

  it('lays out an Ed25519 (type 7) / ElGamal destination with a KEY certificate', () => {
    expect(destination.length).to.equal(391);
    expect([...destination.subarray(384)]).to.deep.equal([5, 0, 4, 0, 7, 0, 0]);
    expect(blob.length).to.equal(391 + 256 + 32);
    expect(blob.subarray(0, 391).equals(destination)).to.equal(true);
  });

  it('holds matching key pairs: Ed25519 seed → public key, ElGamal x → 2^x mod p', () => {
    const seed = blob.subarray(391 + 256);
    expect(Buffer.from(ed25519.getPublicKey(seed)).equals(destination.subarray(352, 384))).to.equal(true);
    const p = BigInt(`0x${getDiffieHellman('modp14').getPrime('hex')}`);
    const x = BigInt(`0x${blob.subarray(391, 391 + 256).toString('hex')}`);
    let result = 1n;
    let base = 2n;
    for (let e = x; e > 0n; e >>= 1n) {
      if (e & 1n) result = (result * base) % p;
      base = (base * base) % p;
    }
    expect(result.toString(16).padStart(512, '0')).to.equal(destination.subarray(0, 256).toString('hex'));
  });

  it('names itself by base32(SHA-256(destination)) and round-trips through the private blob', () => {
    expect(keys.b32).to.equal(`${base32Encode(createHash('sha256').update(destination).digest())}.b32.i2p`);
    const again = DestinationKeys.fromPrivate(keys.revealPrivate());
    expect(again.b32).to.equal(keys.b32);
    expect(DestinationKeys.generate().b32).to.not.equal(keys.b32);
  });

  it('keeps the private part out of string and JSON forms', () => {
    expect(String(keys)).to.equal(`DestinationKeys(${keys.b32})`);
    expect(JSON.stringify({ keys })).to.equal(JSON.stringify({ keys: { b32: keys.b32 } }));
  });

  it('rejects a public destination or garbage as a private key', () => {
    expect(() => DestinationKeys.fromPrivate(keys.publicDestination)).to.throw(SamBridgeError, /malformed/);
    expect(() => DestinationKeys.fromPrivate('not base64!')).to.throw(SamBridgeError);
  });
});
