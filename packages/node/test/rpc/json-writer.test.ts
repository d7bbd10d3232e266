import { expect } from 'chai';
import fc from 'fast-check';
import { parseJsonExact } from '../../src/rpc/json-reader';
import { writeJson } from '../../src/rpc/json-writer';

describe('writeJson', () => {
  it('writes a u64 bigint with every digit', () => {
    expect(writeJson({ id: 14653991833724566699n, list: [18446744073709551615n] })).to.equal('{"id":14653991833724566699,"list":[18446744073709551615]}');
  });

  it('writes what JSON.stringify writes for values without bigints', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => writeJson(value) === JSON.stringify(value)));
    const odd = { a: undefined, b: [undefined, () => 1], c: Number.NaN, d: new Date(0), e: 'quote " and \u2028' };
    expect(writeJson(odd)).to.equal(JSON.stringify(odd));
  });
});

describe('parseJsonExact', () => {
  it('reads integers beyond 2^53 as exact bigints, and writeJson writes them back unchanged', () => {
    const text = '{"cumulative_difficulty":18446744073709551615,"height":1234,"s":"12345678901234567890","f":12345678901234567.5,"n":[-9007199254740993]}';
    const parsed = parseJsonExact(text) as Record<string, unknown>;
    expect(parsed.cumulative_difficulty).to.equal(18446744073709551615n);
    expect(parsed.height).to.equal(1234);
    expect(parsed.s).to.equal('12345678901234567890');
    expect(parsed.f).to.equal(Number('12345678901234567.5')); // a fraction stays a (rounded) Number
    expect(parsed.n).to.deep.equal([-9007199254740993n]);
    expect(writeJson(parsed)).to.equal(text.replace('12345678901234567.5', String(parsed.f)));
  });

  it('reads any JSON text back to the same text through writeJson', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const text = JSON.stringify(value);
      return writeJson(parseJsonExact(text)) === text;
    }));
  });
});
