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

  describe('carriers (one tx each: the close alone is the verdict)', () => {
    function carrierTracker(rejectingPeers = 3) {
      const clock = new VirtualClock(0);
      const verdicts: [string, string][] = [];
      // as the engine does: a verdict ends the tracking
      const t: RejectionTracker = new RejectionTracker(clock, { rejectingPeers }, (id, reason) => {
        verdicts.push([id, reason]);
        t.untrack(id);
      });
      t.track('T', 0, 0);
      /** The carrier's tx went out now; returns how it closes after `afterMs`. */
      const close = (peer: string, afterMs: number, byPeer = true, knownPeers = 10) => {
        const txSentAt = clock.now();
        clock.advance(afterMs);
        return t.carrierClosed('T', { byPeer, peer, txSentAt, knownPeers });
      };
      return { clock, t, verdicts, close };
    }

    it('a close by the peer within the window counts; one after it, or one we caused, does not', () => {
      const { t, verdicts, close } = carrierTracker(1);
      expect(close('P', 5001)).to.equal(false);
      expect(close('P', 0, false), 'retired, proxy failure, shutdown').to.equal(false);
      expect(t.carrierClosed('T', { byPeer: true, peer: 'P', txSentAt: undefined, knownPeers: 10 }), 'carried no tx').to.equal(false);
      expect(t.carrierClosed('T', { byPeer: true, peer: undefined, txSentAt: 0, knownPeers: 10 }), 'no peer key').to.equal(false);
      expect(verdicts).to.deep.equal([]);
      close('P', 5000);
      expect(verdicts.map((v) => v[0])).to.deep.equal(['T']);
    });

    it('the same peer drawn again and again counts once while the zone knows enough peers', () => {
      const { verdicts, close } = carrierTracker();
      for (let i = 0; i < 8; i++) expect(close('P', 100)).to.equal(true);
      close('Q', 100);
      expect(verdicts).to.deep.equal([]);
      close('R', 100);
      expect(verdicts).to.deep.equal([['T', 'connection closed right after receiving it by 3 distinct peers']]);
    });

    it('a zone knowing fewer peers than rejectingPeers: rejected once every peer it knows refused it on rejectingPeers carriers in all', () => {
      const { verdicts, close } = carrierTracker();
      close('P', 100, true, 1);
      close('P', 100, true, 1);
      expect(verdicts).to.deep.equal([]);
      expect(close('P', 100, true, 1), 'given up: no longer tracked').to.equal(false);
      expect(verdicts).to.deep.equal([['T', 'connection closed right after receiving it 3 times by all 1 peer(s) its zone knows']]);
      const two = carrierTracker();
      for (let i = 0; i < 4; i++) two.close('P', 100, true, 2);
      expect(two.verdicts, 'one of two known peers never rejects alone').to.deep.equal([]);
      two.close('Q', 100, true, 2);
      expect(two.verdicts.map((v) => v[0])).to.deep.equal(['T']);
    });

    it('a carrier drawn among many peers raises the bar for the tx: a few-peer draw earlier does not lower it', () => {
      const { verdicts, close } = carrierTracker();
      close('P', 100, true, 10);
      close('P', 100, true, 1);
      close('P', 100, true, 1);
      expect(verdicts).to.deep.equal([]);
    });

    it('an untracked (delivered, flushed) tx gets no verdict', () => {
      const { t, verdicts, close } = carrierTracker(1);
      t.untrack('T');
      expect(close('P', 10)).to.equal(false);
      expect(verdicts).to.deep.equal([]);
    });
  });
});
