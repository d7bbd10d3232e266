import { expect } from 'chai';
import { FluffScheduler } from '../../src/relay/fluff-scheduler';
import { SeededRng } from '../../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';

const tx = (id: string, bytes: number[]) => ({ id, blob: Uint8Array.from(bytes) });

describe('FluffScheduler', () => {
  function setup(seed = 1) {
    const clock = new VirtualClock();
    const flushes: { at: number; id: string; txs: number[][] }[] = [];
    const fluffer = new FluffScheduler(clock, new SeededRng(seed), (id, txs) => flushes.push({ at: clock.now(), id, txs: txs.map((t) => [...t.blob]) }));
    return { clock, flushes, fluffer };
  }

  it('flushes one batch per connection after the delay, de-duplicated and sorted by tx id', () => {
    const { clock, flushes, fluffer } = setup();
    fluffer.connectionUp('c1', 'outbound');
    fluffer.enqueue(['c1'], tx('z', [1]));
    fluffer.enqueue(['c1'], tx('a', [9, 9]));
    fluffer.enqueue(['c1'], tx('z', [1]));
    fluffer.enqueue(['c1'], tx('m', [5, 0]));
    expect(fluffer.pending('c1')).to.equal(3);
    clock.advance(120_000);
    expect(flushes).to.have.length(1);
    expect(flushes[0].txs).to.deep.equal([[9, 9], [5, 0], [1]]); // ids a, m, z
    expect(flushes[0].at % 250).to.equal(0);
    expect(fluffer.pending('c1')).to.equal(0);
  });

  it('uses Poisson delays with mean 5 s inbound and 2.5 s outbound in quarter seconds', () => {
    const { clock, flushes, fluffer } = setup(11);
    fluffer.connectionUp('in', 'inbound');
    fluffer.connectionUp('out', 'outbound');
    const delays: Record<string, number[]> = { in: [], out: [] };
    for (let round = 0; round < 3000; round++) {
      const start = clock.now();
      fluffer.enqueue(['in', 'out'], tx(`t${round}`, [round & 255]));
      clock.advance(60_000);
      for (const f of flushes.splice(0)) delays[f.id].push(f.at - start);
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(delays.in).to.have.length(3000);
    expect(mean(delays.in)).to.be.closeTo(5_000, 150);
    expect(mean(delays.out)).to.be.closeTo(2_500, 100);
    expect(delays.in.every((d) => d % 250 === 0)).to.equal(true);
    // Poisson, not fixed: variance in quarter-second units equals the mean (20).
    const q = delays.in.map((d) => d / 250);
    const variance = mean(q.map((x) => (x - mean(q)) ** 2));
    expect(variance).to.be.closeTo(20, 2);
  });

  it('drops the batch of a connection that goes down and ignores unknown targets', () => {
    const { clock, flushes, fluffer } = setup();
    fluffer.connectionUp('c1', 'inbound');
    fluffer.connectionUp('c2', 'inbound');
    fluffer.enqueue(['c1', 'c2', 'ghost'], tx('a', [1]));
    fluffer.connectionDown('c1');
    clock.advance(120_000);
    expect(flushes.map((f) => f.id)).to.deep.equal(['c2']);
    expect(fluffer.connections('inbound')).to.deep.equal(['c2']);
  });

  it('withdraws a queued tx from a connection that sent it to us meanwhile', () => {
    const { clock, flushes, fluffer } = setup();
    fluffer.connectionUp('c1', 'inbound');
    fluffer.enqueue(['c1'], tx('a', [1]));
    fluffer.enqueue(['c1'], tx('b', [2]));
    fluffer.withdraw('c1', 'a');
    clock.advance(120_000);
    expect(flushes.map((f) => f.txs)).to.deep.equal([[[2]]]);
  });
});
