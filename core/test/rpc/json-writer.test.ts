import { expect } from 'chai';
import fc from 'fast-check';
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
