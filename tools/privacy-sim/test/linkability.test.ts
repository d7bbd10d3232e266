import { expect } from 'chai';
import { HandoffLog, linkability, type Topology } from '../src';

/** 4 nodes: 0 and 1 send, 2 and 3 run hidden services; node 3 is the adversary's first recruit. */
function topology(origins: number[]): Topology {
  return {
    nodes: 4,
    publicEdges: [],
    anonymityEdges: [],
    anonymous: [true, true, true, true],
    spyRank: new Int32Array(4).fill(4),
    hiddenSpyRank: Int32Array.from([3, 2, 1, 0]),
    anonymityNodes: 4,
    origins: Int32Array.from(origins),
  };
}

describe('hidden-service linkability', () => {
  it("links a sender's two txs only when both reached a spy on one connection, within the window", () => {
    // txs 0, 1, 2 from node 0; tx 3 from node 1.
    const topo = topology([0, 0, 0, 1]);
    const at = Float64Array.from([0, 60_000, 20 * 60_000, 61_000]);
    const log = new HandoffLog();
    log.add(0, 3, 'c1');
    log.add(1, 3, 'c1'); // same stream to the spy: linked
    log.add(2, 3, 'c1'); // same stream, but 20 min later: outside the 10-min window
    log.add(3, 3, 'c1'); // another sender (a relay would look like this): not a pair of one sender
    const result = linkability(log.columns(), topo, at, 0.25, 10 * 60_000);
    expect(result).to.deep.equal({ spyShare: 0.25, pairs: 1, linked: 1, linkability: 1 });
  });

  it('does not link txs that reached the spy on different connections, or reached only honest nodes', () => {
    const topo = topology([0, 0, 0]);
    const at = Float64Array.from([0, 1_000, 2_000]);
    const log = new HandoffLog();
    log.add(0, 3, 'c1');
    log.add(1, 3, 'c2');
    log.add(1, 2, 'c3');
    log.add(2, 2, 'c3'); // node 2 is honest at p = 0.25
    expect(linkability(log.columns(), topo, at, 0.25, 10 * 60_000)).to.include({ pairs: 3, linked: 0 });
    // At p = 0.5 the adversary also runs node 2 and links txs 1 and 2 on c3.
    expect(linkability(log.columns(), topo, at, 0.5, 10 * 60_000)).to.include({ pairs: 3, linked: 1 });
  });
});
