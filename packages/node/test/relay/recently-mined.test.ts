import { expect } from 'chai';
import { RecentlyMinedTxs } from '../../src/relay/recently-mined';

describe('RecentlyMinedTxs', () => {
  it('remembers up to its capacity, dropping the oldest first; a re-added id counts as new', () => {
    const mined = new RecentlyMinedTxs(3);
    for (const id of ['a', 'b', 'c']) mined.add(id);
    mined.add('a'); // a is now the newest
    mined.add('d');
    expect(['a', 'b', 'c', 'd'].filter((id) => mined.has(id))).to.deep.equal(['a', 'c', 'd']);
    expect(mined.size).to.equal(3);
  });
});
