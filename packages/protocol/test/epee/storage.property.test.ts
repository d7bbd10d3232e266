import { expect } from 'chai';
import fc from 'fast-check';
import { anySection, type EpeeEntry, type EpeeScalar, type EpeeSection } from '../../src/epee/generic';
import { decodeSection, encodeSection, encodeStorageParts } from '../../src/epee/storage';
import { EpeeError } from '../../src/epee/errors';
import { EpeeTag } from '../../src/epee/tags';
import { Handshake } from '../../src/wire/messages';

const HEADER = Buffer.from('011101010101020101', 'hex');

const latin1Key = fc.string({ unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 10 });
const bytes = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b));

// Array elements that are strings are never empty here: monerod's sanity check (count ≤ bytes
// left ÷ 2) makes a trailing array of empty strings unreadable, for monerod and for us alike.
const nonEmptyBytes = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => Buffer.from(b));

function scalar(tag: number, section: fc.Arbitrary<EpeeSection>, inArray = false): fc.Arbitrary<EpeeScalar> {
  switch (tag) {
    case EpeeTag.Int64:
      return fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
    case EpeeTag.UInt64:
      return fc.bigInt(0n, 2n ** 64n - 1n);
    case EpeeTag.Int32:
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case EpeeTag.UInt32:
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case EpeeTag.Int16:
      return fc.integer({ min: -(2 ** 15), max: 2 ** 15 - 1 });
    case EpeeTag.UInt16:
      return fc.integer({ min: 0, max: 2 ** 16 - 1 });
    case EpeeTag.Int8:
      return fc.integer({ min: -128, max: 127 });
    case EpeeTag.UInt8:
      return fc.integer({ min: 0, max: 255 });
    case EpeeTag.Double:
      return fc.double({ noNaN: true });
    case EpeeTag.String:
      return inArray ? nonEmptyBytes : bytes;
    case EpeeTag.Bool:
      return fc.boolean();
    default:
      return section;
  }
}

const { section } = fc.letrec<{ section: EpeeSection; entry: EpeeEntry }>((tie) => ({
  section: fc
    .uniqueArray(fc.tuple(latin1Key, tie('entry')), { selector: ([k]) => k, maxLength: 5 })
    .map((pairs) => new Map(pairs)),
  entry: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: 1, max: 12 }).chain((tag) => scalar(tag, tie('section')).map((value): EpeeEntry => ({ tag, value }))),
    fc
      .integer({ min: 1, max: 12 })
      .chain((tag) => fc.array(scalar(tag, tie('section'), true), { minLength: 0, maxLength: 4 }).map((value): EpeeEntry => ({ tag: tag | 0x80, value }))),
  ),
}));

function decodesOrTypedError(buf: Buffer): void {
  try {
    decodeSection(buf);
  } catch (e) {
    expect(e).to.be.instanceOf(EpeeError);
    expect((e as EpeeError).context.offset).to.be.a('number');
  }
}

describe('epee properties', () => {
  it('encode → decode → encode is the identity for arbitrary sections', () => {
    fc.assert(
      fc.property(section, (s) => {
        const encoded = encodeSection(s);
        const decoded = decodeSection(encoded);
        expect(decoded).to.deep.equal(s);
        expect(encodeSection(decoded).equals(encoded)).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the gathering encoder yields the same bytes, referencing long strings instead of copying them', () => {
    fc.assert(
      fc.property(section, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 30 }), (s, headroom, minReference) => {
        const { parts, size } = encodeStorageParts(anySection, s, headroom, minReference);
        const joined = Buffer.concat(parts);
        expect(joined.length).to.equal(headroom + size);
        expect(joined.subarray(headroom).equals(encodeSection(s))).to.equal(true);
        expect(joined.subarray(0, headroom).equals(Buffer.alloc(headroom))).to.equal(true); // the headroom is zeroed
        const referenced = new Set<Uint8Array>();
        const collect = (sec: EpeeSection): void => {
          for (const e of sec.values()) {
            for (const v of Array.isArray(e.value) ? e.value : [e.value]) {
              if (v instanceof Map) collect(v);
              else if (Buffer.isBuffer(v) && v.length >= minReference) referenced.add(v);
            }
          }
        };
        collect(s);
        for (const b of referenced) expect(parts).to.include(b);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes after the header decode or fail with a typed EpeeError carrying an offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => decodesOrTypedError(Buffer.concat([HEADER, tail]))),
      { numRuns: 2000 },
    );
  });

  it('mutated valid bodies decode or fail with a typed EpeeError', () => {
    const valid = Handshake.response.encode({
      node_data: { network_id: Buffer.alloc(16, 1), peer_id: 9n, my_port: 1, rpc_port: 2, rpc_credits_per_hash: 0, support_flags: 1 },
      payload_data: { current_height: 5n, cumulative_difficulty: 6n, cumulative_difficulty_top64: 0n, top_id: Buffer.alloc(32, 3), top_version: 16, pruning_seed: 0 },
      local_peerlist_new: [
        { adr: { type: 4, host: 'x'.repeat(56) + '.onion', port: 18083 }, id: 7n, last_seen: 0n, pruning_seed: 0, rpc_port: 0, rpc_credits_per_hash: 0 },
        { adr: { type: 1, ip: 0x0100007f, port: 18080 }, id: 8n, last_seen: 0n, pruning_seed: 0, rpc_port: 0, rpc_credits_per_hash: 0 },
      ],
    });
    const mutation = fc.record({ at: fc.nat({ max: valid.length - 1 }), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('set', 'insert', 'delete') });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let b = Buffer.from(valid);
        for (const m of mutations) {
          const at = Math.min(m.at, b.length);
          if (m.kind === 'set' && at < b.length) b[at] = m.byte;
          else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from([m.byte]), b.subarray(at)]);
          else b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
        }
        decodesOrTypedError(b);
        try {
          Handshake.response.decode(b);
        } catch (e) {
          expect(e).to.be.instanceOf(EpeeError);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
