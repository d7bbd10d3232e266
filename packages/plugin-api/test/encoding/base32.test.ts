import { expect } from 'chai';
import fc from 'fast-check';
import { base32Decode, base32Encode } from '../../src/encoding/base32';

describe('base32 (RFC 4648, lower-case, unpadded)', () => {
  it('matches the RFC 4648 test vectors', () => {
    const vectors: Array<[string, string]> = [['', ''], ['f', 'my'], ['fo', 'mzxq'], ['foo', 'mzxw6'], ['foob', 'mzxw6yq'], ['fooba', 'mzxw6ytb'], ['foobar', 'mzxw6ytboi']];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).to.equal(encoded);
      expect(Buffer.from(base32Decode(encoded) ?? []).toString()).to.equal(plain);
    }
  });

  it('round-trips any bytes and rejects non-canonical trailing bits', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(base32Decode(base32Encode(bytes))).to.deep.equal(bytes);
    }));
    expect(base32Decode('mz')).to.equal(undefined); // 'f' is 'my'; 'z' sets a trailing bit
    expect(base32Decode('MY')).to.equal(undefined);
    expect(base32Decode('m1')).to.equal(undefined);
  });
});
