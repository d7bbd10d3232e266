import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { checkRelayable, InvalidTransactionError, NonRelayableTxError, parseTransactionLayout, RELAY_RULES } from '../../src/tx';
import { minimalJunkTx, WellFormedJunkTx } from '../../src/testing/junk-txs';

interface TxFixture { source: string; hex: string }
const fixtures: TxFixture[] = JSON.parse(readFileSync(resolve(__dirname, '../../../test/fixtures/txs/regtest-txs.json'), 'utf8')).txs;
const spends = fixtures.filter((f) => !f.source.includes('coinbase')).map((f) => Buffer.from(f.hex, 'hex'));
const coinbase = Buffer.from(fixtures.find((f) => f.source.includes('coinbase'))!.hex, 'hex');

function rejection(blob: Uint8Array): string {
  try {
    checkRelayable(blob);
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidTransactionError);
    return (err as Error).message;
  }
  return expect.fail('expected the tx to be refused');
}

/** A copy of `blob` with `bytes` written at `offset`. */
const patched = (blob: Uint8Array, offset: number, bytes: ArrayLike<number>): Buffer => {
  const copy = Buffer.from(blob);
  copy.set(bytes, offset);
  return copy;
};

/** Offset of input 0's key image in a 1-input ring-16 tx whose offsets are 1 byte each... found by parsing. */
const keyImageOffset = (blob: Uint8Array): number => {
  const input = parseTransactionLayout(blob).inputDetails[0];
  if (input.type !== 'to_key') throw new Error('not a spend');
  return input.keyImage.byteOffset - (blob as Buffer).byteOffset;
};

describe('tx/checkRelayable', () => {
  it('passes every real wallet tx monerod relayed (regtest, v16 rules) and returns their key images', () => {
    expect(spends.length).to.be.greaterThan(3);
    for (const blob of spends) {
      const layout = parseTransactionLayout(blob);
      const { keyImages } = checkRelayable(blob);
      expect(keyImages).to.have.length(layout.inputs);
      for (const image of keyImages) expect(image).to.match(/^[0-9a-f]{64}$/);
    }
    const multi = spends.find((b) => parseTransactionLayout(b).inputs > 1);
    expect(multi, 'a multi-input fixture exercises the key image order').to.not.equal(undefined);
  });

  it('refuses the 5-byte junk of the attack (v1, no inputs, no outputs) and a coinbase', () => {
    expect(rejection(Uint8Array.of(1, 0, 0, 0, 0))).to.match(/version 1/);
    expect(rejection(minimalJunkTx(300))).to.match(/version 1/);
    expect(rejection(coinbase)).to.match(/RingCT type 0/);
  });

  it('refuses a key image that is not a curve point, or a small-order one', () => {
    const blob = spends[0];
    const at = keyImageOffset(blob);
    // y = 2 has no x on ed25519
    const notOnCurve = Buffer.alloc(32);
    notOnCurve[0] = 2;
    expect(() => ed25519.ExtendedPoint.fromHex(notOnCurve)).to.throw();
    expect(rejection(patched(blob, at, notOnCurve))).to.match(/not a valid curve point/);
    const identity = Buffer.alloc(32);
    identity[0] = 1;
    expect(rejection(patched(blob, at, identity))).to.match(/not a valid curve point/);
  });

  it('refuses ring members named twice and amounts shown', () => {
    const blob = spends[0];
    const input = parseTransactionLayout(blob).inputDetails[0];
    expect(input.type === 'to_key' && input.ringSize).to.equal(RELAY_RULES.ringSize);
    // the last relative offset is the byte right before the key image when it is < 128
    const at = keyImageOffset(blob) - 1;
    expect(blob[at]).to.be.below(0x80);
    expect(rejection(patched(blob, at, [0]))).to.match(/names a ring member twice/);
    // the input amount is the byte after the input tag (version, unlock, count, tag)
    expect([...blob.subarray(0, 5)]).to.deep.equal([2, 0, 1, 2, 0]);
    expect(rejection(patched(blob, 4, [5]))).to.match(/input 0 shows an amount/);
  });

  it('refuses out-of-order or repeated key images in a multi-input tx', () => {
    const junk = new WellFormedJunkTx();
    const two = junk.next(2);
    const layout = parseTransactionLayout(two);
    const [a, b] = layout.inputDetails.map((d) => (d.type === 'to_key' ? Buffer.from(d.keyImage) : Buffer.alloc(0)));
    const offA = (layout.inputDetails[0] as { keyImage: Uint8Array }).keyImage.byteOffset - two.byteOffset;
    const offB = (layout.inputDetails[1] as { keyImage: Uint8Array }).keyImage.byteOffset - two.byteOffset;
    expect(checkRelayable(two).keyImages).to.have.length(2);
    const swapped = patched(patched(two, offA, b), offB, a);
    expect(rejection(swapped)).to.match(/out of order or repeated/);
    expect(rejection(patched(two, offB, a))).to.match(/out of order or repeated/);
  });

  it('refuses too many outputs, an oversize extra and an oversize blob', () => {
    const junk = new WellFormedJunkTx();
    expect(checkRelayable(junk.next(1, 16)).keyImages).to.have.length(1);
    expect(rejection(junk.next(1, 17))).to.match(/17 outputs/);
    expect(rejection(junk.next(1, 1))).to.match(/1 outputs/);
    expect(checkRelayable(junk.next(1, 2, RELAY_RULES.maxExtraBytes)).keyImages).to.have.length(1);
    expect(rejection(junk.next(1, 2, RELAY_RULES.maxExtraBytes + 1))).to.match(/extra of 1061 bytes/);
    expect(rejection(junk.next(250))).to.match(/exceeds the 149400-byte relay limit/);
  });

  it('throws NonRelayableTxError with the rule in its context', () => {
    try {
      checkRelayable(coinbase);
      expect.fail('refused');
    } catch (err) {
      expect(err).to.be.instanceOf(NonRelayableTxError);
      expect((err as NonRelayableTxError).code).to.equal('TX_INVALID');
      expect((err as NonRelayableTxError).context).to.have.property('rule').that.matches(/RingCT type 0/);
    }
  });

  it('makes well-formed junk that passes: what a flood test needs', () => {
    const junk = new WellFormedJunkTx();
    const seen = new Set<string>();
    let inputs = 0;
    for (let i = 0; i < 50; i++) {
      inputs += 1 + (i % 3);
      for (const image of checkRelayable(junk.next(1 + (i % 3))).keyImages) seen.add(image);
    }
    expect(seen.size).to.equal(inputs);
  });
});
