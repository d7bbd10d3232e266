import { expect } from 'chai';
import type { ConnectionInfo } from '../../../src/rpc/monerod/sources';
import { publicNodeProblem, referenceHeight } from '../../../src/rpc/upstream/public-node-check';

const expected = { nettype: 'mainnet', referenceHeight: 3_000_000, heightMargin: 10 };
const fit = { status: 'OK', nettype: 'mainnet', height: 3_000_000, target_height: 0 };

function connection(height: number, ready = true): ConnectionInfo {
  return { zone: 'clearnet', id: String(height), direction: 'outbound', peerId: 1n, ready, height, pruningSeed: 0, supportFlags: 1, rpcPort: 0 };
}

describe('rpc/upstream/public node check', () => {
  it('takes a node on our network, synchronised, not more than the margin behind our peers', () => {
    expect(publicNodeProblem(fit, expected)).to.equal(undefined);
    expect(publicNodeProblem({ ...fit, height: 2_999_990 }, expected)).to.equal(undefined);
    expect(publicNodeProblem({ ...fit, height: 3_000_500 }, expected), 'ahead of our peers is fine').to.equal(undefined);
    expect(publicNodeProblem({ ...fit, height: 5 }, { ...expected, referenceHeight: undefined }), 'no peer height known: no height check').to.equal(undefined);
  });

  it('says why it refuses one', () => {
    expect(publicNodeProblem(null, expected)).to.match(/not an object/);
    expect(publicNodeProblem({ ...fit, status: 'BUSY' }, expected)).to.match(/status is "BUSY"/);
    expect(publicNodeProblem({ ...fit, nettype: 'stagenet' }, expected)).to.match(/runs "stagenet", not mainnet/);
    expect(publicNodeProblem({ ...fit, height: '3000000' }, expected)).to.match(/no height/);
    expect(publicNodeProblem({ ...fit, target_height: 3_000_001 }, expected)).to.match(/still syncing/);
    expect(publicNodeProblem({ ...fit, height: 2_999_989 }, expected)).to.match(/11 blocks behind our peers/);
  });

  it('the reference height is the lower median of ready peers: one liar cannot move it', () => {
    expect(referenceHeight([])).to.equal(undefined);
    expect(referenceHeight([connection(0), connection(9_999_999, false)])).to.equal(undefined);
    expect(referenceHeight([connection(100), connection(101), connection(99_999_999)])).to.equal(101);
    expect(referenceHeight([connection(100), connection(99_999_999)])).to.equal(100);
  });
});
