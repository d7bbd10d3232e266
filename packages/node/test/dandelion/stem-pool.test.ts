import { expect } from 'chai';
import { StemPool } from '../../src/dandelion/stem-pool';
import { SeededRng } from '../../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';

describe('StemPool (embargo)', () => {
  it('fluffs an unseen stem tx when its embargo expires, with an exponential mean of 39 s', () => {
    const clock = new VirtualClock();
    const expired: { id: string; at: number }[] = [];
    const pool = new StemPool(clock, new SeededRng(3), (id) => expired.push({ id, at: clock.now() }));
    for (let i = 0; i < 4000; i++) expect(pool.receiveStem(`tx${i}`)).to.equal('new');
    expect(pool.size).to.equal(4000);
    clock.advance(3600_000);
    expect(expired).to.have.length(4000);
    expect(pool.size).to.equal(0);
    const mean = expired.reduce((s, e) => s + e.at, 0) / expired.length;
    expect(mean).to.be.closeTo(39_000, 2_000);
    expect(expired.filter((e) => e.at > 39_000).length / expired.length).to.be.closeTo(Math.exp(-1), 0.03);
  });

  it('does not fluff a tx that was seen fluffed before the embargo ended', () => {
    const clock = new VirtualClock();
    const expired: string[] = [];
    const pool = new StemPool(clock, new SeededRng(4), (id) => expired.push(id), 39_000);
    pool.receiveStem('a');
    pool.receiveStem('b');
    expect(pool.release('a')).to.equal(true);
    expect(pool.release('a')).to.equal(false);
    clock.advance(3600_000);
    expect(expired).to.deep.equal(['b']);
  });

  it('reports a stem copy arriving while in stem state as a loop and ends the embargo', () => {
    const clock = new VirtualClock();
    const expired: string[] = [];
    const pool = new StemPool(clock, new SeededRng(5), (id) => expired.push(id));
    expect(pool.receiveStem('a')).to.equal('new');
    expect(pool.receiveStem('a')).to.equal('loop');
    expect(pool.has('a')).to.equal(false);
    clock.advance(3600_000);
    expect(expired).to.deep.equal([]);
  });
});
