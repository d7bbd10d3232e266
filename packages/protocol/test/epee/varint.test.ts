import { expect } from 'chai';
import { EpeeError } from '../../src/epee/errors';
import { EpeeReader } from '../../src/epee/reader';
import { varintSize, writeVarint } from '../../src/epee/varint';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function encode(n: number): string {
  const buf = Buffer.alloc(8);
  const end = writeVarint(buf, 0, n);
  expect(end).to.equal(varintSize(n));
  return buf.subarray(0, end).toString('hex');
}

describe('epee varint', () => {
  it('writes the minimal width (docs/epee.md examples)', () => {
    expect(encode(0)).to.equal('00');
    expect(encode(63)).to.equal('fc');
    expect(encode(64)).to.equal('0101');
    expect(encode(16383)).to.equal('fdff');
    expect(encode(16384)).to.equal('02000100');
    expect(encode(2 ** 30)).to.equal('0300000001000000');
    const big = Number.MAX_SAFE_INTEGER;
    expect(encode(big)).to.have.length(16);
    expect(new EpeeReader(Buffer.from(encode(big), 'hex')).varint()).to.equal(big);
  });

  it('reads every width, including non-minimal encodings', () => {
    const read = (s: string): number => new EpeeReader(hex(s)).varint();
    expect(read('fc')).to.equal(63);
    expect(read('0101')).to.equal(64);
    expect(read('02000100')).to.equal(16384);
    expect(read('0300000001000000')).to.equal(2 ** 30);
    expect(read('0100')).to.equal(0);
    expect(read('02000000')).to.equal(0);
    expect(read('0300000000000000')).to.equal(0);
    expect(read('fd00')).to.equal(63);
    expect(read('ffffffffffffffff')).to.equal(2 ** 62); // 2^62 − 1, as a double: only compared with limits
  });

  it('reports truncation with the offset', () => {
    const r = new EpeeReader(hex('00 02 00'), 1);
    expect(() => r.varint())
      .to.throw(EpeeError)
      .that.satisfies((e: EpeeError) => e.code === 'EPEE_TRUNCATED' && e.context.offset === 1 && /at byte 1/.test(e.message));
  });

  it('refuses to write negative, fractional or too large values', () => {
    for (const bad of [-1, 1.5, 2 ** 62, Number.NaN]) expect(() => writeVarint(Buffer.alloc(8), 0, bad)).to.throw(EpeeError);
  });
});
