import { expect } from 'chai';
import { PublicNodeSelector } from '../../../src/rpc/upstream/public-node-selector';
import type { PublicRpcNode } from '../../../src/rpc/upstream/public-rpc-node';

const node = (i: number): PublicRpcNode => ({ zone: 'clearnet', host: `203.0.113.${i}`, port: 18089 });

function selector(options: { random?: () => number; triesPerMinute?: number; maxRemembered?: number } = {}) {
  let time = 0;
  const s = new PublicNodeSelector({ now: () => time, random: options.random ?? (() => 0), triesPerMinute: options.triesPerMinute ?? 100, maxRemembered: options.maxRemembered });
  return { s, advance: (ms: number) => (time += ms) };
}

describe('rpc/upstream/PublicNodeSelector', () => {
  it('picks at random among the nodes with the fewest failures', () => {
    let r = 0;
    const { s, advance } = selector({ random: () => r });
    const nodes = [node(1), node(2), node(3)];
    r = 0.99;
    expect(s.next(nodes)).to.deep.equal(node(3));
    r = 0.5;
    expect(s.next(nodes)).to.deep.equal(node(2));
    s.failed(node(1));
    s.failed(node(2));
    advance(3_600_000); // every back-off over: the failure counts still rank them
    r = 0;
    expect(s.next(nodes)).to.deep.equal(node(3));
    s.failed(node(2));
    advance(3_600_000);
    expect(s.next([node(1), node(2)])).to.deep.equal(node(1));
    s.succeeded(node(2));
    r = 0.99;
    expect(s.next([node(1), node(2)]), 'a success forgets the failures').to.deep.equal(node(2));
  });

  it('a failed node waits 1 min, doubling per failure up to 1 h, before it is tried again', () => {
    const { s, advance } = selector();
    const waits: number[] = [];
    for (let failures = 0; failures < 9; failures++) {
      s.failed(node(1));
      let waited = 0;
      while (s.next([node(1)]) === undefined) {
        advance(1_000);
        waited += 1_000;
      }
      waits.push(waited / 60_000);
    }
    expect(waits).to.deep.equal([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('tries at most 4 nodes in any minute, however many are offered', () => {
    let time = 0;
    const s = new PublicNodeSelector({ now: () => time, random: () => 0 });
    const nodes = Array.from({ length: 50 }, (_, i) => node(i));
    const tried: number[] = [];
    for (time = 0; time < 180_000; time += 1_000) {
      const picked = s.next(nodes);
      if (picked === undefined) continue;
      tried.push(time);
      s.failed(picked);
    }
    expect(tried).to.deep.equal([0, 1_000, 2_000, 3_000, 60_000, 61_000, 62_000, 63_000, 120_000, 121_000, 122_000, 123_000]);
  });

  it('remembers at most maxRemembered failing nodes, forgetting the oldest', () => {
    const { s } = selector({ maxRemembered: 3 });
    for (let i = 1; i <= 4; i++) s.failed(node(i));
    expect(s.next([node(2), node(3), node(4)]), 'all three still wait').to.equal(undefined);
    expect(s.next([node(1)]), 'the oldest was forgotten').to.deep.equal(node(1));
  });
});
