import { expect } from 'chai';
import { HandoutWeights } from '../../src/relay/handout-weights';
import { OrdinarySendAge } from '../../src/relay/ordinary-send-age';

const MIN = 60_000;
const target = new OrdinarySendAge(8 * MIN, 4 * MIN, 11 * MIN);
const warmShape = new OrdinarySendAge(7 * MIN, 4 * MIN, 11 * MIN);

describe('OrdinarySendAge', () => {
  it('has density ∝ P(lifetime > age), cut at maxAgeMs', () => {
    const share = (lo: number, hi: number) => target.cdf(hi * MIN) - target.cdf(lo * MIN);
    expect(target.cdf(0)).to.equal(0);
    expect(target.cdf(-MIN)).to.equal(0);
    // Flat to 8 min (mass 8 of 9.875), then falling: 8–11 min holds 1.875 / 9.875 = 19 %.
    expect(share(0, 4)).to.be.closeTo(4 / 9.875, 1e-9);
    expect(share(4, 8)).to.be.closeTo(4 / 9.875, 1e-9);
    expect(share(8, 11)).to.be.closeTo(1.875 / 9.875, 1e-9);
    // 10–11 min: ∫ (12 − a)/4 = 0.375 of 9.875.
    expect(share(10, 11)).to.be.closeTo(0.375 / 9.875, 1e-9);
    expect(target.cdf(11 * MIN)).to.equal(1);
    expect(target.cdf(20 * MIN)).to.equal(1);
  });
});

describe('HandoutWeights', () => {
  it('weighs an age by the law over the warm carriers the pool held there at takes', () => {
    const weights = new HandoutWeights(target, warmShape, 6);
    const before = weights.weight(9.5 * MIN) / weights.weight(2.5 * MIN);
    // The pool keeps showing two young carriers and no old one: old ones become rarer, so weightier.
    for (let i = 0; i < 100; i++) weights.observe([2.5 * MIN, 2.7 * MIN]);
    expect(weights.weight(9.5 * MIN) / weights.weight(2.5 * MIN)).to.be.greaterThan(before * 5);
  });

  it('raises the weight of ages handed out less than the law says, lowers the rest, within ×8', () => {
    const weights = new HandoutWeights(target, warmShape, 6);
    const young = weights.weight(0.5 * MIN);
    const old = weights.weight(9.5 * MIN);
    for (let i = 0; i < 2_000; i++) weights.handedOut(0.5 * MIN);
    expect(weights.weight(0.5 * MIN)).to.be.closeTo(young / 8, 1e-12);
    expect(weights.weight(9.5 * MIN)).to.be.closeTo(old * 8, 1e-9);
  });
});
