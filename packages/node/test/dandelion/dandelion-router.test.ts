import { expect } from 'chai';
import { DandelionRouter, type DandelionEpoch } from '../../src/dandelion/dandelion-router';
import { SeededRng } from '../../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';

function router(config: ConstructorParameters<typeof DandelionRouter>[2] = {}, seed = 1) {
  const clock = new VirtualClock();
  const epochs: { at: number; epoch: DandelionEpoch }[] = [];
  /** Connections held back (e.g. lagging behind the chain). */
  const lagging = new Set<string>();
  const r = new DandelionRouter(clock, new SeededRng(seed), config, (epoch) => epochs.push({ at: clock.now(), epoch }), { eligible: (id) => !lagging.has(id) });
  return { clock, r, epochs, lagging };
}

describe('DandelionRouter', () => {
  it('starts a new epoch every 10 min + U(0, 30 s)', () => {
    const { clock, r, epochs } = router();
    r.start();
    clock.advance(6 * 3600_000);
    const gaps = epochs.slice(1).map((e, i) => e.at - epochs[i].at);
    expect(gaps.length).to.be.greaterThan(30);
    for (const gap of gaps) expect(gap).to.be.within(600_000, 630_000);
    expect(new Set(gaps).size).to.be.greaterThan(gaps.length / 2); // randomised, not a fixed period
    expect(epochs.map((e) => e.epoch.number)).to.deep.equal(epochs.map((_, i) => i + 1));
  });

  it('makes about 20 % of epochs fluff epochs', () => {
    const { clock, r, epochs } = router({}, 99);
    r.start();
    clock.advance(2000 * 630_000);
    const share = epochs.filter((e) => e.epoch.fluff).length / epochs.length;
    expect(epochs.length).to.be.greaterThan(2000);
    expect(share).to.be.closeTo(0.2, 0.025);
  });

  it('picks 2 stems from outbound connections only', () => {
    const { r } = router({ fluffProbability: 0 });
    for (const id of ['in1', 'in2', 'in3']) r.connectionUp(id, 'inbound');
    for (const id of ['o1', 'o2', 'o3']) r.connectionUp(id, 'outbound');
    r.start();
    const stems = r.epoch.stems;
    expect(stems).to.have.length(2);
    for (const s of stems) expect(s).to.be.oneOf(['o1', 'o2', 'o3']);
    expect(new Set(stems).size).to.equal(2);
  });

  it('maps each source to the less-used stem and keeps the mapping for the epoch', () => {
    const { r } = router({ fluffProbability: 0 });
    r.connectionUp('o1', 'outbound');
    r.connectionUp('o2', 'outbound');
    r.start();
    const a = r.route('in-a');
    const b = r.route('in-b');
    expect(a.kind).to.equal('stem');
    expect(b.kind).to.equal('stem');
    if (a.kind !== 'stem' || b.kind !== 'stem') return;
    expect(a.connectionId).to.not.equal(b.connectionId);
    for (let i = 0; i < 5; i++) expect(r.route('in-a')).to.deep.equal(a);
  });

  it('re-draws the mapping in a new epoch', () => {
    const { clock, r } = router({ fluffProbability: 0 }, 5);
    for (const id of ['o1', 'o2', 'o3', 'o4', 'o5', 'o6']) r.connectionUp(id, 'outbound');
    r.start();
    const seen = new Set<string>();
    for (let epoch = 0; epoch < 20; epoch++) {
      const route = r.route('src');
      if (route.kind === 'stem') seen.add(route.connectionId);
      clock.advance(630_000);
    }
    expect(seen.size).to.be.greaterThan(3);
  });

  it('fluffs forwarded txs in a fluff epoch but always stems local txs', () => {
    const { r } = router({ fluffProbability: 1 });
    r.connectionUp('o1', 'outbound');
    r.connectionUp('o2', 'outbound');
    r.start();
    expect(r.epoch.fluff).to.equal(true);
    expect(r.route('in-a')).to.deep.equal({ kind: 'fluff' });
    expect(r.route(null).kind).to.equal('stem');
  });

  it('never routes a stem tx back to its sender', () => {
    const { r } = router({ fluffProbability: 0, stems: 2 });
    r.connectionUp('o1', 'outbound');
    r.connectionUp('o2', 'outbound');
    r.start();
    for (const source of ['o1', 'o2']) {
      for (let i = 0; i < 3; i++) {
        const route = r.route(source);
        expect(route).to.deep.equal({ kind: 'stem', connectionId: source === 'o1' ? 'o2' : 'o1' });
      }
    }
  });

  it('fluffs when the only stem is the sender or no stem exists', () => {
    const { r } = router({ fluffProbability: 0 });
    r.start();
    expect(r.route('in-a')).to.deep.equal({ kind: 'fluff' });
    expect(r.route(null)).to.deep.equal({ kind: 'fluff' });
    r.connectionUp('o1', 'outbound');
    expect(r.route('o1')).to.deep.equal({ kind: 'fluff' });
    expect(r.route('in-a')).to.deep.equal({ kind: 'stem', connectionId: 'o1' });
  });

  it('replaces a disconnected stem in its slot so mapped sources keep one successor', () => {
    const { r } = router({ fluffProbability: 0 });
    r.connectionUp('o1', 'outbound');
    r.connectionUp('o2', 'outbound');
    r.start();
    const first = r.route('in-a');
    if (first.kind !== 'stem') throw new Error('expected stem');
    const slot = r.epoch.stems.indexOf(first.connectionId);
    r.connectionUp('o3', 'outbound');
    r.connectionDown(first.connectionId);
    expect(r.epoch.stems[slot]).to.equal('o3');
    expect(r.route('in-a')).to.deep.equal({ kind: 'stem', connectionId: 'o3' });
  });

  it('stems only on eligible connections; one that stops qualifying keeps its stem until the next epoch', () => {
    const { clock, r, lagging } = router({ fluffProbability: 0 }, 6);
    for (const id of ['o1', 'o2', 'o3', 'o4']) r.connectionUp(id, 'outbound');
    lagging.add('o4');
    r.start();
    for (let i = 0; i < 20; i++) {
      expect(r.epoch.stems).to.not.include('o4');
      expect(r.epoch.stems.filter((s) => s !== null)).to.have.length(2);
      clock.advance(631_000);
    }
    const [kept] = r.epoch.stems as string[];
    const first = r.route(null);
    lagging.add(kept);
    r.eligibilityChanged();
    expect(r.epoch.stems).to.include(kept); // mid-epoch: the mapping and its stem stay
    expect(r.route(null)).to.deep.equal(first);
    clock.advance(631_000);
    expect(r.epoch.stems).to.not.include(kept);
    lagging.clear();
    const stemmed = new Set<string>();
    for (let i = 0; i < 40; i++) {
      clock.advance(631_000);
      for (const s of r.epoch.stems) if (s !== null) stemmed.add(s);
    }
    expect([...stemmed].sort()).to.deep.equal(['o1', 'o2', 'o3', 'o4']); // caught up: drawn again
  });

  it('fills an empty stem slot as soon as a connection qualifies; with none eligible it fluffs forwarded txs', () => {
    const { r, lagging } = router({ fluffProbability: 0 }, 2);
    for (const id of ['o1', 'o2']) r.connectionUp(id, 'outbound');
    lagging.add('o1').add('o2');
    r.start();
    expect(r.epoch.stems).to.deep.equal([null, null]);
    expect(r.route('in-a')).to.deep.equal({ kind: 'fluff' });
    lagging.delete('o2');
    r.eligibilityChanged();
    expect(r.epoch.stems).to.include('o2');
    expect(r.route('in-a')).to.deep.equal({ kind: 'stem', connectionId: 'o2' });
  });
});
