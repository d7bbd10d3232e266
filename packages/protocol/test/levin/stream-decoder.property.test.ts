import { expect } from 'chai';
import fc from 'fast-check';
import { commandSizeCap, LevinFlags } from '../../src/levin/constants';
import { encodeFrame } from '../../src/levin/frame';
import { LevinError } from '../../src/levin/errors';
import { LevinStreamDecoder } from '../../src/levin/stream-decoder';
import { makeNoiseFrame, packForNoise } from '../../src/levin/noise';
import type { LevinMessage } from '../../src/levin/message';

interface Sent {
  readonly command: number;
  readonly flags: number;
  readonly expectsResponse: boolean;
  readonly returnCode: number;
  readonly body: Buffer;
}

const sent: fc.Arbitrary<Sent> = fc.record({
  command: fc.constantFrom(1001, 1002, 1003, 1007, 2002, 2008, 77),
  flags: fc.constantFrom(LevinFlags.Request, LevinFlags.Response),
  expectsResponse: fc.boolean(),
  returnCode: fc.integer({ min: -7, max: 1 }),
  body: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
});

/** One logical message → its wire bytes: plain, noise-packed (small slots) or preceded by noise. */
const wire = fc.tuple(sent, fc.constantFrom('plain', 'packed', 'noise-first'), fc.integer({ min: 40, max: 400 })).map(([m, how, slot]) => {
  const frame = encodeFrame(m);
  const bytes =
    how === 'plain' ? [frame] : how === 'packed' ? packForNoise(frame, slot, 1000) : [makeNoiseFrame(slot), frame];
  // a frame that fits one slot is sent zero-padded, its cb covering the padding (as monerod does)
  const padded = how === 'packed' && frame.length <= slot;
  const body = padded ? Buffer.concat([m.body, Buffer.alloc(slot - frame.length)]) : m.body;
  return { m: { ...m, body }, bytes: Buffer.concat(bytes) };
});

/** Splits `buf` at sizes taken cyclically from `cuts`. */
function chunked(buf: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < buf.length; i++) {
    const n = cuts[i % cuts.length];
    out.push(buf.subarray(at, at + n));
    at += n;
  }
  return out;
}

const cuts = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 });

describe('LevinStreamDecoder properties', () => {
  it('any chunking of a valid stream yields exactly the sent messages', () => {
    fc.assert(
      fc.property(fc.array(wire, { minLength: 1, maxLength: 6 }), cuts, (messages, c) => {
        const d = new LevinStreamDecoder({ maxPacketSize: 100_000 });
        const out: LevinMessage[] = [];
        for (const chunk of chunked(Buffer.concat(messages.map((x) => x.bytes)), c)) out.push(...d.push(Buffer.from(chunk)));
        expect(out.map((m) => [m.command, m.flags, m.isResponse, m.expectsResponse, m.returnCode, m.body.toString('hex')])).to.deep.equal(
          messages.map(({ m }) => [
            m.command,
            m.flags,
            m.flags === LevinFlags.Response,
            m.flags === LevinFlags.Request && m.expectsResponse,
            m.returnCode,
            m.body.toString('hex'),
          ]),
        );
        expect(d.bufferedBytes).to.equal(0);
      }),
      { numRuns: 300 },
    );
  });

  it('mutated and random streams never crash, never buffer past the limit, and end in messages or a LevinError', () => {
    const mutation = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('set', 'insert', 'delete') });
    const stream = fc.oneof(
      fc.tuple(fc.array(wire, { minLength: 1, maxLength: 4 }), fc.array(mutation, { maxLength: 5 })).map(([ms, muts]) => {
        let b = Buffer.concat(ms.map((x) => x.bytes));
        for (const m of muts) {
          const at = m.at % (b.length + 1);
          if (m.kind === 'set' && at < b.length) b[at] = m.byte;
          else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from([m.byte]), b.subarray(at)]);
          else b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
        }
        return b;
      }),
      fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b)),
      fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.concat([Buffer.from('0121010101010101', 'hex'), b])),
    );
    fc.assert(
      fc.property(stream, cuts, fc.integer({ min: 33, max: 4000 }), (bytes, c, limit) => {
        const d = new LevinStreamDecoder({ maxPacketSize: limit });
        let failed: unknown = null;
        for (const chunk of chunked(bytes, c)) {
          try {
            for (const m of d.push(chunk)) {
              expect(m.body.length).to.be.at.most(Math.min(limit, commandSizeCap(m.command)));
            }
          } catch (e) {
            failed = e;
            break;
          }
          expect(d.bufferedBytes).to.be.at.most(limit);
        }
        if (failed !== null) {
          expect(failed).to.be.instanceOf(LevinError);
          expect(d.bufferedBytes).to.equal(0);
          expect(() => d.push(Buffer.from([1]))).to.throw(LevinError);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
