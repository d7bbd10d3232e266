import { expect } from 'chai';
import { RejectionTracker } from '../../src/relay/rejection-tracker';
import { VirtualClock } from '@veilnode/plugin-api/testing';

describe('relay/RejectionTracker', () => {
  function tracker() {
    const clock = new VirtualClock(0);
    const verdicts: [string, string][] = [];
    const t = new RejectionTracker(clock, { rejectingPeers: 1 }, (id, reason) => verdicts.push([id, reason]));
    t.track('T', 0, 0);
    return { clock, t, verdicts };
  }

  it('counts a close by the peer within the window after our tx when nothing else went shortly before it', () => {
    const { clock, t, verdicts } = tracker();
    t.sent('c', undefined);
    clock.advance(5000); // a relayed tx one whole window earlier is not a suspect
    t.sent('c', 'T');
    clock.advance(5000);
    t.closed('c', { byPeer: true, peer: 'P' });
    expect(verdicts.map((v) => v[0])).to.deep.equal(['T']);
  });

  it('does not count it when another tx went on the connection shortly before ours (the peer may have refused that one)', () => {
    const { clock, t, verdicts } = tracker();
    t.sent('c', undefined);
    clock.advance(4999);
    t.sent('c', 'T');
    clock.advance(10);
    t.closed('c', { byPeer: true, peer: 'P' });
    expect(verdicts).to.deep.equal([]);
  });

  it('forgets an untracked tx: no verdict, no expiry', () => {
    const { clock, t, verdicts } = tracker();
    t.sent('c', 'T');
    t.untrack('T');
    t.closed('c', { byPeer: true, peer: 'P' });
    clock.advance(100 * 24 * 3600_000);
    expect(verdicts).to.deep.equal([]);
  });
});
