import { expect } from 'chai';
import fc from 'fast-check';
import { PeerHeightFilter } from '../../src/relay/peer-height-filter';

describe('PeerHeightFilter', () => {
  it('blocks nobody while no outbound connection reported a height', () => {
    const f = new PeerHeightFilter();
    f.connectionUp('o1', 'outbound');
    f.connectionUp('o2', 'outbound');
    expect(f.referenceHeight()).to.equal(undefined);
    expect([f.eligible('o1'), f.eligible('o2')]).to.deep.equal([true, true]);
    expect(f.eligibleCount()).to.equal(2);
  });

  it('admits an outbound peer at most 2 blocks below the lower median of the outbound heights (monerod HEAD)', () => {
    const f = new PeerHeightFilter();
    const heights: Record<string, number> = { a: 1000, b: 1000, c: 1001, d: 998, e: 997 };
    for (const [id, h] of Object.entries(heights)) f.connectionUp(id, 'outbound', h);
    expect(f.referenceHeight()).to.equal(1000);
    expect(Object.keys(heights).filter((id) => f.eligible(id))).to.deep.equal(['a', 'b', 'c', 'd']); // 998 + 2 ≥ 1000, 997 + 2 < 1000
    expect(f.eligibleCount()).to.equal(4);
    expect(f.outboundCount()).to.equal(5);
  });

  it('ignores inbound connections: they neither count towards our height nor qualify', () => {
    const f = new PeerHeightFilter();
    f.connectionUp('o1', 'outbound', 500);
    for (let i = 0; i < 9; i++) f.connectionUp(`in${i}`, 'inbound', 900);
    expect(f.referenceHeight()).to.equal(500);
    expect(f.eligible('o1')).to.equal(true);
    expect(f.eligible('in0')).to.equal(false);
    expect(f.update('in0', 901)).to.equal(false);
  });

  it('cannot be moved by one peer claiming a far higher chain: it neither excludes the others nor wins alone', () => {
    const f = new PeerHeightFilter();
    f.connectionUp('o1', 'outbound', 1000);
    f.connectionUp('o2', 'outbound', 1000);
    f.connectionUp('liar', 'outbound', 9_000_000);
    expect(f.referenceHeight()).to.equal(1000);
    expect(['o1', 'o2', 'liar'].map((id) => f.eligible(id))).to.deep.equal([true, true, true]);
    // two peers disagreeing: the lower claim is kept, so the higher one cannot exclude the other
    f.connectionDown('o2');
    expect(f.referenceHeight()).to.equal(1000);
    expect(f.eligible('o1')).to.equal(true);
  });

  it('follows height updates: a lagging peer qualifies again once it caught up', () => {
    const f = new PeerHeightFilter();
    f.connectionUp('o1', 'outbound', 1000);
    f.connectionUp('o2', 'outbound', 1000);
    f.connectionUp('o3', 'outbound', 900);
    expect(f.eligible('o3')).to.equal(false);
    expect(f.update('o3', 999)).to.equal(true);
    expect(f.eligible('o3')).to.equal(true);
    expect(f.update('o3', 999), 'same height').to.equal(false);
    expect(f.update('gone', 5), 'unknown connection').to.equal(false);
    f.connectionDown('o3');
    expect(f.eligible('o3')).to.equal(false);
    expect(f.outboundCount()).to.equal(2);
  });

  it('always keeps at least half of the outbound peers that reported a height', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(10_000_000), { minLength: 1, maxLength: 16 }), (heights) => {
        const f = new PeerHeightFilter();
        heights.forEach((h, i) => f.connectionUp(`o${i}`, 'outbound', h));
        expect(f.eligibleCount()).to.be.at.least(Math.ceil(heights.length / 2));
      }),
    );
  });
});
