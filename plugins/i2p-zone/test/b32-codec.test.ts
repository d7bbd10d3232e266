import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { base32Encode, InvalidAddressError, WIRE_TYPE_I2P, WIRE_TYPE_TOR } from '@veilnode/plugin-api';
import { B32Codec, i2pBase64Encode, i2pZone, i2pZonePolicy } from '../src';

/** A syntactically valid destination: random keys + KEY certificate (Ed25519, ElGamal). */
function makeDestination(): Uint8Array {
  return new Uint8Array(Buffer.concat([randomBytes(384), Buffer.from([5, 0, 4, 0, 7, 0, 0])]));
}

const codec = new B32Codec();
const LABEL = 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq';

describe('B32Codec', () => {
  it('parses b32 addresses, lower-cases them, and defaults/normalises the port to 1', () => {
    expect(codec.parse(`${LABEL}.b32.i2p`)).to.deep.equal({ zone: 'i2p', host: `${LABEL}.b32.i2p`, port: 1 });
    expect(codec.parse(`${LABEL.toUpperCase()}.B32.I2P:0`)).to.deep.equal({ zone: 'i2p', host: `${LABEL}.b32.i2p`, port: 1 });
    expect(codec.parse(`${LABEL}.b32.i2p:18085`).port).to.equal(18085);
    expect(codec.claims(`${LABEL}.b32.i2p:1`)).to.equal(true);
    expect(codec.claims('1.2.3.4:18080')).to.equal(false);
  });

  it('formats without the port when it is the default and round-trips text', () => {
    expect(codec.format(codec.parse(`${LABEL}.b32.i2p:1`))).to.equal(`${LABEL}.b32.i2p`);
    expect(codec.format(codec.parse(`${LABEL}.b32.i2p:4567`))).to.equal(`${LABEL}.b32.i2p:4567`);
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 65535 }), (hash, port) => {
      const text = `${base32Encode(hash)}.b32.i2p:${port}`;
      const address = codec.parse(text);
      expect(codec.parse(codec.format(address))).to.deep.equal(address);
    }));
  });

  it('rejects bad labels with a reason', () => {
    const bad: Array<[string, RegExp]> = [
      [`${LABEL.slice(1)}.b32.i2p`, /51 characters, expected 52/],
      [`${LABEL}a.b32.i2p`, /53 characters/],
      [`${LABEL.slice(0, 51)}1.b32.i2p`, /not base32/],
      [`${LABEL.slice(0, 51)}r.b32.i2p`, /trailing bits/], // r = 17 sets a low bit past 256
      [`${LABEL}.onion`, /not an I2P destination|not I2P base64/],
      [`${LABEL}.b32.i2p:65536`, /port 65536/],
      [`${LABEL}.b32.i2p:x`, /expected/],
      ['', /expected/],
    ];
    for (const [text, reason] of bad) {
      expect(() => codec.parse(text), text).to.throw(InvalidAddressError, reason);
    }
  });

  it('reads wire type 3 with port 0 or 1 and writes the stored port (never 0)', () => {
    const host = `${LABEL}.b32.i2p`;
    expect(codec.fromWire({ type: WIRE_TYPE_I2P, host, port: 0 })).to.deep.equal({ zone: 'i2p', host, port: 1 });
    expect(codec.fromWire({ type: WIRE_TYPE_I2P, host, port: 1 })).to.deep.equal({ zone: 'i2p', host, port: 1 });
    expect(codec.toWire(codec.fromWire({ type: WIRE_TYPE_I2P, host, port: 0 }))).to.deep.equal({ type: 3, host, port: 1 });
    expect(codec.toWire(codec.parse(`${host}:18085`))).to.deep.equal({ type: 3, host, port: 18085 });
    expect(() => codec.fromWire({ type: WIRE_TYPE_TOR, host, port: 1 })).to.throw(InvalidAddressError, /wire type 3/);
    expect(() => codec.fromWire({ type: WIRE_TYPE_I2P, host: 'name.i2p', port: 1 })).to.throw(InvalidAddressError, /\.b32\.i2p/);
    expect(() => codec.toWire({ zone: 'tor', host, port: 1 })).to.throw(InvalidAddressError, /zone tor/);
  });

  it('reduces a full I2P-base64 destination to SHA-256 → base32', () => {
    const destination = makeDestination();
    const text = i2pBase64Encode(destination);
    expect(text).to.match(/^[A-Za-z0-9~=-]+$/);
    const expected = `${base32Encode(createHash('sha256').update(destination).digest())}.b32.i2p`;
    expect(codec.parse(text)).to.deep.equal({ zone: 'i2p', host: expected, port: 1 });
    expect(codec.fromDestination(text).host).to.equal(expected);
    expect(codec.parse(`${text}:18085`).port).to.equal(18085);
  });

  it('rejects base64 that is not a destination', () => {
    const destination = makeDestination();
    expect(() => codec.fromDestination(i2pBase64Encode(destination.subarray(0, 300)))).to.throw(InvalidAddressError, /not an I2P destination \(300 bytes\)/);
    const withTrailer = new Uint8Array([...destination, 1, 2, 3]);
    expect(() => codec.fromDestination(i2pBase64Encode(withTrailer))).to.throw(InvalidAddressError, /394 bytes/);
    expect(() => codec.fromDestination('abc+def/')).to.throw(InvalidAddressError, /I2P base64/);
  });
});

describe('i2pZone', () => {
  it('is one frozen definition with the anonymity policy and the b32 codec', () => {
    expect(Object.isFrozen(i2pZone)).to.equal(true);
    expect(i2pZone.name).to.equal('i2p');
    expect(i2pZone.policy).to.equal(i2pZonePolicy);
    expect(i2pZonePolicy.anonymity).to.equal(true);
    expect(i2pZonePolicy.fixedPeerId).to.equal(1n);
    expect(i2pZone.codec.wireTypes).to.deep.equal([WIRE_TYPE_I2P]);
  });
});
