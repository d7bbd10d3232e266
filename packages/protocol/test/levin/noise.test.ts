import { expect } from 'chai';
import { encodeNotify } from '../../src/levin/frame';
import { LEVIN_HEADER_SIZE, MAX_NOISE_FRAGMENTS } from '../../src/levin/constants';
import { LevinError } from '../../src/levin/errors';
import { LevinStreamDecoder } from '../../src/levin/stream-decoder';
import { makeNoiseFrame, packForNoise } from '../../src/levin/noise';
import { readLevinHeader } from '../../src/levin/header';

const frameOfSize = (total: number): Buffer => encodeNotify(2002, Buffer.alloc(total - LEVIN_HEADER_SIZE, 0xab));

describe('noise frames and covert packing', () => {
  it('makeNoiseFrame: command 0, flags BEGIN|END, cb size − 33, zero body', () => {
    const n = makeNoiseFrame(100);
    expect(n.length).to.equal(100);
    expect(readLevinHeader(n)).to.deep.equal({ cb: 67, expectsResponse: false, command: 0, returnCode: 0, flags: 12, protocolVersion: 1 });
    expect(n.subarray(33).every((b) => b === 0)).to.equal(true);
    expect(() => makeNoiseFrame(33)).to.throw(LevinError);
  });

  it('a frame of exactly 3072 bytes is sent as is; smaller ones are zero-padded with cb covering the padding', () => {
    const exact = frameOfSize(3072);
    expect(packForNoise(exact)).to.deep.equal([exact]);
    const small = frameOfSize(100);
    const [slot] = packForNoise(small);
    expect(slot.length).to.equal(3072);
    expect(readLevinHeader(slot).cb).to.equal(3039);
    expect(readLevinHeader(slot).command).to.equal(2002);
    expect(slot.subarray(33, 100).equals(small.subarray(33))).to.equal(true);
    expect(slot.subarray(100).every((b) => b === 0)).to.equal(true);
  });

  it('larger frames become k slots of 3072 bytes: flags 4, 0…, 8, cb 3039 each, last one zero-padded', () => {
    const inner = frameOfSize(3039 * 3 + 10);
    const slots = packForNoise(inner);
    expect(slots).to.have.length(4);
    expect(slots.map((s) => s.length)).to.deep.equal([3072, 3072, 3072, 3072]);
    expect(slots.map((s) => readLevinHeader(s).flags)).to.deep.equal([4, 0, 0, 8]);
    expect(slots.every((s) => readLevinHeader(s).cb === 3039 && readLevinHeader(s).command === 0)).to.equal(true);
    expect(Buffer.concat(slots.map((s) => s.subarray(33))).subarray(0, inner.length).equals(inner)).to.equal(true);
    expect(slots[3].subarray(33 + 10).every((b) => b === 0)).to.equal(true);
    const d = new LevinStreamDecoder();
    const out = slots.flatMap((s) => d.push(s));
    expect(out).to.have.length(1);
    expect(out[0].body.equals(inner.subarray(33))).to.equal(true);
  });

  it('allows 20 slots and rejects 21', () => {
    expect(packForNoise(frameOfSize(3039 * MAX_NOISE_FRAGMENTS))).to.have.length(20);
    expect(() => packForNoise(frameOfSize(3039 * MAX_NOISE_FRAGMENTS + 1)))
      .to.throw(LevinError)
      .with.property('code', 'LEVIN_TOO_MANY_FRAGMENTS');
  });

  it('rejects input that is not one complete frame', () => {
    expect(() => packForNoise(Buffer.alloc(40))).to.throw(LevinError, /complete Levin frame/);
    expect(() => packForNoise(frameOfSize(100).subarray(0, 90))).to.throw(LevinError, /does not match its cb/);
  });
});
