import { expect } from 'chai';
import fc from 'fast-check';
import { decodeSection, encodeSection } from '../../src/epee/storage';
import { EpeeError } from '../../src/epee/errors';
import { EpeeTag } from '../../src/epee/tags';
import { Handshake, NewTransactions } from '../../src/wire/messages';
import type { EpeeSection } from '../../src/epee/generic';

const HEADER = Buffer.from('011101010101020101', 'hex');

/** `buf` cut at the given points (sorted, deduplicated, clamped), as the pieces a socket might deliver. */
function split(buf: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, buf.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(from, p));
    from = p;
  }
  return out;
}

type Outcome = { value: unknown } | { code: string; message: string; offset: unknown };

function outcome(decode: () => unknown): Outcome {
  try {
    return { value: decode() };
  } catch (e) {
    expect(e).to.be.instanceOf(EpeeError);
    const err = e as EpeeError;
    return { code: err.code, message: err.message, offset: err.context.offset };
  }
}

const cuts = fc.array(fc.nat({ max: 400 }), { maxLength: 8 });
const leaf = fc.oneof(
  fc.uint8Array({ maxLength: 60 }).map((b): [number, unknown] => [EpeeTag.String, Buffer.from(b)]),
  fc.bigInt(0n, 2n ** 64n - 1n).map((v): [number, unknown] => [EpeeTag.UInt64, v]),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((v): [number, unknown] => [EpeeTag.Int32, v]),
  fc.double({ noNaN: true }).map((v): [number, unknown] => [EpeeTag.Double, v]),
  fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 70 }).map((v): [number, unknown] => [EpeeTag.UInt16 | 0x80, v]),
);
const section = fc
  .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 70 }).map((k) => Buffer.from(k, 'utf8').toString('latin1').slice(0, 70)), leaf), {
    selector: ([k]) => k,
    maxLength: 6,
  })
  .map((pairs): EpeeSection => new Map(pairs.map(([k, [tag, value]]) => [k, { tag, value: value as never }])));

describe('epee decoding of input that arrived in pieces', () => {
  it('any split of a valid blob decodes to the same value as the whole blob', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 3 }), section), { maxLength: 3 }), cuts, (nested, at) => {
        const root: EpeeSection = new Map(nested.map(([k, s]) => [k, { tag: EpeeTag.Object, value: s }]));
        const whole = encodeSection(root);
        expect(decodeSection(split(whole, at))).to.deep.equal(decodeSection(whole));
      }),
      { numRuns: 300 },
    );
  });

  it('any split of arbitrary or mutated bytes ends exactly as the whole input does (same value, or same error and offset)', () => {
    const valid = NewTransactions.body.encode({ txs: [Buffer.alloc(100, 1), Buffer.alloc(70, 2), Buffer.alloc(3, 3)], _: Buffer.alloc(20), dandelionpp_fluff: false });
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((t) => Buffer.concat([HEADER, t])),
      fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.nat({ max: valid.length })).map(([at, byte, cut]) => {
        const b = Buffer.from(valid.subarray(0, cut));
        if (at < b.length) b[at] = byte;
        return b;
      }),
    );
    fc.assert(
      fc.property(input, cuts, (buf, at) => {
        const pieces = split(buf, at);
        expect(outcome(() => decodeSection(pieces))).to.deep.equal(outcome(() => decodeSection(buf)));
        expect(outcome(() => NewTransactions.body.decode(pieces))).to.deep.equal(outcome(() => NewTransactions.body.decode(buf)));
      }),
      { numRuns: 1500 },
    );
  });

  it('returns strings inside one piece as views of that piece and copies only a string cut in two', () => {
    const txs = [Buffer.alloc(1000, 1), Buffer.alloc(1000, 2), Buffer.alloc(1000, 3)];
    const whole = NewTransactions.body.encode({ txs, _: Buffer.alloc(0), dandelionpp_fluff: true });
    const second = whole.indexOf(Buffer.alloc(1000, 2));
    const input = Buffer.alloc(whole.length); // not from the shared pool, which the copy may come from
    whole.copy(input);
    const pieces = split(input, [second + 500]); // cuts the second tx in two
    const decoded = NewTransactions.body.decode(pieces);
    expect(decoded.txs).to.deep.equal(txs);
    expect(decoded.txs[0].buffer).to.equal(pieces[0].buffer);
    expect(decoded.txs[0].byteOffset).to.equal(pieces[0].byteOffset + whole.indexOf(txs[0]));
    expect(decoded.txs[2].buffer).to.equal(pieces[1].buffer);
    expect(decoded.txs[1].buffer).to.not.equal(pieces[0].buffer);
    expect(decoded.txs[1].buffer).to.not.equal(pieces[1].buffer);
  });

  it('reports error offsets from the start of the whole input', () => {
    const hs = Handshake.request.encode({
      node_data: { network_id: Buffer.alloc(16, 1), peer_id: 9n, my_port: 1, rpc_port: 2, rpc_credits_per_hash: 0, support_flags: 1 },
      payload_data: { current_height: 5n, cumulative_difficulty: 6n, cumulative_difficulty_top64: 0n, top_id: Buffer.alloc(32, 3), top_version: 16, pruning_seed: 0 },
    });
    const truncated = hs.subarray(0, hs.length - 3);
    const err = outcome(() => Handshake.request.decode(split(truncated, [10, 11, 40, truncated.length - 1])));
    expect(err).to.have.property('code', 'EPEE_TRUNCATED');
    expect(err).to.deep.equal(outcome(() => Handshake.request.decode(truncated)));
    expect((err as { offset: number }).offset).to.be.greaterThan(40);
  });
});
