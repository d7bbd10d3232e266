import { expect } from 'chai';
import { DropAttribution } from '../../src/relay/drop-attribution';
import { VirtualClock } from '@veilnode/plugin-api/testing';

const DROPPED = { byPeer: true, peer: 'key' };

describe('relay/DropAttribution', () => {
  it('names the txs that went on a connection within the window before an outbound peer closed it', () => {
    const clock = new VirtualClock(0);
    const drops = new DropAttribution(clock, 5000);
    drops.sent('c1', ['old']);
    clock.advance(5001);
    drops.sent('c1', ['a', 'b']);
    clock.advance(2000);
    drops.sent('c1', ['a']);
    drops.sent('c2', ['other']);
    clock.advance(5000);
    expect(drops.closed('c1', DROPPED)).to.deep.equal(['a']);
    expect(drops.closed('c1', DROPPED)).to.deep.equal([]); // forgotten with its connection
  });

  it('names nobody for a close we caused, an inbound peer, or no close info', () => {
    const clock = new VirtualClock(0);
    const drops = new DropAttribution(clock, 5000);
    for (const c of ['c1', 'c2', 'c3']) drops.sent(c, ['a']);
    expect(drops.closed('c1', { byPeer: false, peer: 'key' })).to.deep.equal([]);
    expect(drops.closed('c2', { byPeer: true })).to.deep.equal([]);
    expect(drops.closed('c3', undefined)).to.deep.equal([]);
  });
});
