import { ed25519 } from '@noble/curves/ed25519';
import { sha3_256 } from '@noble/hashes/sha3';
import { base32Encode, InvalidAddressError, WIRE_TYPE_TOR } from '@veilnode/plugin-api';
import { expect } from 'chai';
import fc from 'fast-check';
import { OnionV3Codec, onionHostFromPublicKey } from '../src/onion-v3-codec';

const codec = new OnionV3Codec();

// Produced by real tor 0.4.9 (HiddenServiceDir hostname) and well-known public services.
const REAL_ONIONS = [
  'zghpp44hm3csmdc47wir32y577t4s5i6kldnejusmhdckn2y7rrkcnid.onion',
  '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion',
  'duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion',
];

/** A 56-char label for arbitrary key bytes, version and checksum (to build invalid vectors). */
function label(key: Uint8Array, version = 3, checksum?: Uint8Array): string {
  const sum =
    checksum ?? sha3_256(new Uint8Array([...new TextEncoder().encode('.onion checksum'), ...key, version])).subarray(0, 2);
  return `${base32Encode(new Uint8Array([...key, ...sum, version]))}.onion`;
}

function rejection(text: string): string {
  try {
    codec.parse(text);
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidAddressError);
    expect((err as InvalidAddressError).context.input).to.equal(text);
    return (err as InvalidAddressError).message;
  }
  throw new Error(`accepted ${text}`);
}

describe('OnionV3Codec', () => {
  it('accepts real v3 onion names and keeps them lower-case', () => {
    for (const host of REAL_ONIONS) {
      expect(codec.parse(`${host}:18083`)).to.deep.equal({ zone: 'tor', host, port: 18083 });
      expect(codec.parse(`${host.toUpperCase()}:18083`).host).to.equal(host);
    }
  });

  it('gives every ed25519 key an address that round-trips through text and wire form', () => {
    // that the derivation equals tor's is proven in the integration suite (ADD_ONION ServiceID)
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 65535 }), (seed, port) => {
        const host = onionHostFromPublicKey(ed25519.getPublicKey(seed));
        expect(host).to.match(/^[a-z2-7]{56}\.onion$/);
        const address = codec.parse(`${host}:${port}`);
        expect(codec.format(address)).to.equal(`${host}:${port}`);
        expect(codec.fromWire(codec.toWire(address))).to.deep.equal(address);
      }),
      { numRuns: 25 },
    );
  });

  it('rejects a one-character typo by its checksum', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 51 }), fc.integer({ min: 1, max: 31 }), (seed, pos, delta) => {
        const host = onionHostFromPublicKey(ed25519.getPublicKey(seed));
        const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
        const typo = host.slice(0, pos) + alphabet[(alphabet.indexOf(host[pos]) + delta) % 32] + host.slice(pos + 1);
        expect(() => codec.parse(`${typo}:1`)).to.throw(InvalidAddressError);
      }),
      { numRuns: 60, seed: 20261121 },
    );
  });

  it('rejects v2 names saying v2 onion services no longer exist', () => {
    expect(rejection('expyuzz4wqqyqhjn.onion:80')).to.match(/v2 onion services no longer exist/);
  });

  it('names the broken rule for each malformed address', () => {
    const key = ed25519.getPublicKey(new Uint8Array(32).fill(7));
    const good = onionHostFromPublicKey(key);
    const identity = new Uint8Array(32);
    identity[0] = 1; // encoding of the neutral point: a valid point of order 1
    const notAPoint = new Uint8Array(32).fill(0xff);
    notAPoint[31] = 0x7f; // y = 2^255 - 1 ≥ p: not a canonical field element
    const cases: Array<[string, RegExp]> = [
      [`${good}`, /missing :PORT/],
      [`${good}:0`, /port 0 must be 1\.\.65535/],
      [`${good}:65536`, /port 65536 must be 1\.\.65535/],
      [`${good}:http`, /is not a number/],
      [`${good.slice(0, 55)}.onion:1`, /56 base32 characters before \.onion, not 55/],
      [`${good.slice(0, 55)}1.onion:1`, /outside the base32 alphabet/],
      [`www.${good}:1`, /subdomains/],
      ['node.example.org:18080', /must end in \.onion/],
      [`${label(key, 2)}:1`, /version byte is 2, expected 3/],
      [`${label(key, 3, new Uint8Array([0, 0]))}:1`, /checksum mismatch/],
      [`${label(notAPoint)}:1`, /not a valid ed25519 point/],
      [`${label(identity)}:1`, /prime-order subgroup/],
    ];
    for (const [text, reason] of cases) expect(rejection(text), text).to.match(reason);
  });

  it('claims onion text only', () => {
    expect(codec.claims(`${REAL_ONIONS[0]}:18083`)).to.equal(true);
    expect(codec.claims('ABC.ONION:1')).to.equal(true);
    expect(codec.claims('1.2.3.4:18080')).to.equal(false);
    expect(codec.claims('x.b32.i2p:1')).to.equal(false);
  });

  it('converts to and from Monero wire type 4 and validates wire input', () => {
    const address = codec.parse(`${REAL_ONIONS[1]}:18083`);
    expect(codec.toWire(address)).to.deep.equal({ type: WIRE_TYPE_TOR, host: REAL_ONIONS[1], port: 18083 });
    expect(codec.fromWire({ type: 4, host: REAL_ONIONS[1].toUpperCase(), port: 18083 })).to.deep.equal(address);
    expect(() => codec.fromWire({ type: 1, ip: 0x0100007f, port: 18080 })).to.throw(InvalidAddressError, /wire type 1 is not Tor/);
    expect(() => codec.fromWire({ type: 4, host: 'expyuzz4wqqyqhjn.onion', port: 1 })).to.throw(/v2 onion services no longer exist/);
    expect(() => codec.fromWire({ type: 4, host: REAL_ONIONS[1], port: 0 })).to.throw(/port 0/);
  });

  it('refuses to format or convert another zone\'s address', () => {
    expect(() => codec.format({ zone: 'clearnet', host: '1.2.3.4', port: 1 })).to.throw(InvalidAddressError, /zone clearnet/);
    expect(() => codec.toWire({ zone: 'tor', host: 'bad.onion', port: 1 })).to.throw(InvalidAddressError);
  });
});
