import { expect } from 'chai';
import { CryptoRng, SeededRng } from '../../src/time/rng';
import { exponentialDelay, pickDistinct, poisson, poissonDelay, uniformDelay } from '../../src/time/distributions';

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe('Rng', () => {
  it('SeededRng is reproducible per seed and differs between seeds', () => {
    const a = new SeededRng(42);
    const b = new SeededRng(42);
    const c = new SeededRng(43);
    const seqA = Array.from({ length: 8 }, () => a.float());
    expect(Array.from({ length: 8 }, () => b.float())).to.deep.equal(seqA);
    expect(Array.from({ length: 8 }, () => c.float())).to.not.deep.equal(seqA);
  });

  for (const [name, rng] of [['SeededRng', new SeededRng(7)], ['CryptoRng', new CryptoRng()]] as const) {
    it(`${name} stays in range and covers it`, () => {
      const floats = Array.from({ length: 4000 }, () => rng.float());
      expect(Math.min(...floats)).to.be.at.least(0);
      expect(Math.max(...floats)).to.be.below(1);
      expect(mean(floats)).to.be.closeTo(0.5, 0.03);
      const ints = new Set(Array.from({ length: 500 }, () => rng.int(5)));
      expect([...ints].sort()).to.deep.equal([0, 1, 2, 3, 4]);
    });
  }
});

describe('distributions', () => {
  const rng = new SeededRng(2024);

  it('uniformDelay stays in [min, min+range]', () => {
    const values = Array.from({ length: 2000 }, () => uniformDelay(rng, 10_000, 5_000));
    expect(Math.min(...values)).to.be.at.least(10_000);
    expect(Math.max(...values)).to.be.at.most(15_000);
    expect(mean(values)).to.be.closeTo(12_500, 150);
  });

  it('exponentialDelay has the requested mean and an exponential spread', () => {
    const values = Array.from({ length: 20_000 }, () => exponentialDelay(rng, 39_000));
    expect(mean(values)).to.be.closeTo(39_000, 1_200);
    // P(X > mean) = 1/e for an exponential distribution.
    expect(values.filter((v) => v > 39_000).length / values.length).to.be.closeTo(Math.exp(-1), 0.02);
  });

  it('poisson matches mean and variance, also for large means', () => {
    for (const lambda of [2, 20, 150]) {
      const values = Array.from({ length: 10_000 }, () => poisson(rng, lambda));
      const m = mean(values);
      const variance = mean(values.map((v) => (v - m) ** 2));
      expect(m).to.be.closeTo(lambda, lambda * 0.05);
      expect(variance).to.be.closeTo(lambda, lambda * 0.1);
    }
  });

  it('poissonDelay is a multiple of the granularity with the requested mean', () => {
    const values = Array.from({ length: 10_000 }, () => poissonDelay(rng, 5_000, 250));
    expect(values.every((v) => v % 250 === 0)).to.equal(true);
    expect(mean(values)).to.be.closeTo(5_000, 100);
  });

  it('pickDistinct returns distinct members, never more than exist', () => {
    const picked = pickDistinct(rng, ['a', 'b', 'c', 'd'], 2);
    expect(picked).to.have.length(2);
    expect(new Set(picked).size).to.equal(2);
    expect(pickDistinct(rng, ['x'], 2)).to.deep.equal(['x']);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) for (const p of pickDistinct(rng, ['a', 'b', 'c', 'd'], 1)) counts.set(p, (counts.get(p) ?? 0) + 1);
    for (const key of ['a', 'b', 'c', 'd']) expect(counts.get(key)).to.be.closeTo(1000, 120);
  });
});
