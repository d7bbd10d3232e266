import { expect } from 'chai';
import { ConfigError } from '@veilnode/plugin-api';
import { PeerTxQuota } from '../../src/relay/peer-tx-quota';
import { VirtualClock } from '@veilnode/plugin-api/testing';

describe('relay/PeerTxQuota', () => {
  it('starts a connection with a small allowance, lets it build up to a burst, then the sustained rate', () => {
    const clock = new VirtualClock(0);
    const quota = new PeerTxQuota(clock, { txsPerSecond: 10, bytesPerSecond: 1_000_000, burstSeconds: 2, initialSeconds: 0.5 });
    let taken = 0;
    while (quota.take('a', 10)) taken++;
    expect(taken).to.equal(5);
    clock.advance(10_000);
    taken = 0;
    while (quota.take('a', 10)) taken++;
    expect(taken).to.equal(20);
    expect(quota.take('b', 10)).to.equal(true); // another connection has its own
    clock.advance(500);
    taken = 0;
    while (quota.take('a', 10)) taken++;
    expect(taken).to.equal(5);
  });

  it('counts bytes too, and forgets only the least recently active source beyond its cap', () => {
    const clock = new VirtualClock(0);
    const quota = new PeerTxQuota(clock, { txsPerSecond: 1000, bytesPerSecond: 1000, burstSeconds: 1, initialSeconds: 1, maxSources: 2 });
    expect(quota.take('a', 600)).to.equal(true);
    expect(quota.take('a', 600)).to.equal(false);
    expect(quota.take('b', 600)).to.equal(true);
    expect(quota.take('a', 600)).to.equal(false); // still spent: 'a' is now the most recent
    expect(quota.take('c', 600)).to.equal(true); // evicts 'b', the least recent
    expect(quota.take('a', 600)).to.equal(false);
    expect(quota.take('b', 600)).to.equal(true); // forgotten: a fresh allowance
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new PeerTxQuota(new VirtualClock(0), { txsPerSecond: 0 })).to.throw(ConfigError, /txsPerSecond/);
  });
});
