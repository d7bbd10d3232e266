import { expect } from 'chai';
import { InvalidAddressError, type AddressCodec, type PeerAddress, type WireAddress } from '@veilnode/plugin-api';

export interface ValidAddressVector {
  readonly text: string;
  /** format(parse(text)); defaults to `text` itself. */
  readonly canonical?: string;
  /** Expected parse result fields, when the vector pins them. */
  readonly host?: string;
  readonly port?: number;
  /** Expected toWire(parse(text)), when the vector pins it. */
  readonly wire?: WireAddress;
}

export interface InvalidAddressVector {
  readonly text: string;
  /** A fragment the error message must contain (the reason), case-insensitive. */
  readonly because?: string;
}

export interface AddressVectors {
  readonly valid: readonly ValidAddressVector[];
  readonly invalid: readonly InvalidAddressVector[];
  /** Well-formed addresses of other zones: claims() is false and parse() rejects them. */
  readonly foreign?: readonly string[];
  /** Peer-list forms fromWire() must reject. */
  readonly invalidWire?: readonly WireAddress[];
}

/** Compare wire forms by value: a Buffer and a Uint8Array with the same bytes are equal. */
function comparableWire(wire: WireAddress): Record<string, unknown> {
  return 'addr' in wire ? { ...wire, addr: Array.from(wire.addr) } : { ...wire };
}

function expectInvalidAddress(action: () => unknown, input: string, because?: string): void {
  let thrown: unknown;
  try {
    action();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected InvalidAddressError for ${JSON.stringify(input)}`).to.be.instanceOf(InvalidAddressError);
  const err = thrown as InvalidAddressError;
  expect(err.message, 'the message names the input').to.include(JSON.stringify(input));
  expect(err.context.input).to.equal(input);
  if (because) expect(err.message.toLowerCase()).to.include(because.toLowerCase());
}

/**
 * Registers the mocha tests every AddressCodec must pass against the author's vectors:
 * valid text round-trips through parse → format (canonical) → parse and through the wire
 * form, invalid text is rejected with an InvalidAddressError naming it, and claims() agrees
 * with parse().
 */
export function addressCodecCompliance(name: string, codec: AddressCodec, vectors: AddressVectors): void {
  describe(`${name} — address codec compliance (zone ${codec.zone})`, function () {
    it('has vectors to check', function () {
      expect(vectors.valid, 'valid vectors').to.have.length.above(0);
      expect(vectors.invalid, 'invalid vectors').to.have.length.above(0);
    });

    describe('valid addresses', function () {
      for (const vector of vectors.valid) {
        const canonical = vector.canonical ?? vector.text;

        it(`parses ${JSON.stringify(vector.text)} and formats it as ${JSON.stringify(canonical)}`, function () {
          const address = codec.parse(vector.text);
          expect(address.zone).to.equal(codec.zone);
          if (vector.host !== undefined) expect(address.host).to.equal(vector.host);
          if (vector.port !== undefined) expect(address.port).to.equal(vector.port);
          expect(codec.format(address)).to.equal(canonical);
          expect(codec.parse(canonical)).to.deep.equal(address);
          expect(codec.claims(vector.text), 'claims(text)').to.equal(true);
          expect(codec.claims(canonical), 'claims(canonical)').to.equal(true);
        });

        if (codec.wireTypes.length > 0) {
          it(`round-trips ${JSON.stringify(vector.text)} through its wire form`, function () {
            const address = codec.parse(vector.text);
            const wire = codec.toWire(address);
            expect(codec.wireTypes).to.include(wire.type);
            expect(codec.fromWire(wire)).to.deep.equal(address);
            if (vector.wire) {
              expect(comparableWire(wire)).to.deep.equal(comparableWire(vector.wire));
              expect(codec.fromWire(vector.wire)).to.deep.equal(address);
            }
          });
        }
      }

      if (codec.wireTypes.length === 0) {
        it('rejects toWire() with InvalidAddressError: the zone has no peer-list form', function () {
          const address = codec.parse(vectors.valid[0].text);
          expect(() => codec.toWire(address)).to.throw(InvalidAddressError);
        });
      }
    });

    describe('invalid addresses', function () {
      for (const vector of vectors.invalid) {
        it(`rejects ${JSON.stringify(vector.text)}${vector.because ? ` (${vector.because})` : ''}`, function () {
          expectInvalidAddress(() => codec.parse(vector.text), vector.text, vector.because);
        });
      }

      for (const text of vectors.foreign ?? []) {
        it(`neither claims nor parses the foreign address ${JSON.stringify(text)}`, function () {
          expect(codec.claims(text)).to.equal(false);
          expectInvalidAddress(() => codec.parse(text), text);
        });
      }

      it('rejects formatting an address of another zone or with a port outside 0..65535', function () {
        const address = codec.parse(vectors.valid[0].text);
        const bad: PeerAddress[] = [
          { ...address, zone: `${codec.zone}-foreign` },
          { ...address, port: 65536 },
          { ...address, port: -1 },
          { ...address, port: 1.5 },
        ];
        for (const candidate of bad) {
          expect(() => codec.format(candidate), JSON.stringify(candidate)).to.throw(InvalidAddressError);
          expect(() => codec.toWire(candidate), JSON.stringify(candidate)).to.throw(InvalidAddressError);
        }
      });

      it('rejects wire forms of types it does not handle', function () {
        const foreignTypes = [1, 2, 3, 4].filter((type) => !codec.wireTypes.includes(type));
        const samples: Record<number, WireAddress> = {
          1: { type: 1, ip: 0x0100007f, port: 18080 },
          2: { type: 2, addr: new Uint8Array(16).fill(1), port: 18080 },
          3: { type: 3, host: 'a'.repeat(52) + '.b32.i2p', port: 0 },
          4: { type: 4, host: 'a'.repeat(56) + '.onion', port: 18080 },
        };
        for (const type of foreignTypes) expect(() => codec.fromWire(samples[type]), `type ${type}`).to.throw(InvalidAddressError);
      });

      for (const wire of vectors.invalidWire ?? []) {
        it(`rejects the wire form ${JSON.stringify(comparableWire(wire))}`, function () {
          expect(() => codec.fromWire(wire)).to.throw(InvalidAddressError);
        });
      }
    });
  });
}
