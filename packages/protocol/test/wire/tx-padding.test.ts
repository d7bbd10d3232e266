import { expect } from 'chai';
import fc from 'fast-check';
import { newTransactionsPadding, TX_PADDING_BLOCK } from '../../src/wire/tx-padding';
import { varintSize } from '../../src/epee';

describe('wire/newTransactionsPadding', () => {
  it('makes the body an exact multiple of 1024, counting the longer length prefix of `_`', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 4_000_000 }), (size) => {
        const pad = newTransactionsPadding(size);
        expect(pad).to.be.within(0, 2 * TX_PADDING_BLOCK);
        expect((size - 1 + varintSize(pad) + pad) % TX_PADDING_BLOCK).to.equal(0);
      }),
    );
  });

  it('adds nothing to a body that is already a multiple, and steps over the prefix growth at 64', () => {
    expect(newTransactionsPadding(2048)).to.equal(0);
    // 961 bytes (960 + a 1-byte prefix) + 63 = 1024
    expect(newTransactionsPadding(961)).to.equal(63);
    // 960 would need 64, whose prefix takes 2 bytes (1025): the next fit is 959 + 2 + 1087 = 2048
    expect(newTransactionsPadding(960)).to.equal(1087);
  });
});
