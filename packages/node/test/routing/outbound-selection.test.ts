import { expect } from 'chai';
import { OutboundSelection } from '../../src/routing/outbound-selection';
import { SeededRng } from '../../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';

describe('OutboundSelection', () => {
  function setup(seed = 1, size = 2) {
    const clock = new VirtualClock();
    const changes: { at: number; slot: number; previous: string | null; next: string | null }[] = [];
    /** Connections held back (e.g. lagging behind the chain). */
    const lagging = new Set<string>();
    const selection = new OutboundSelection(
      clock,
      new SeededRng(seed),
      (slot, previous, next) => changes.push({ at: clock.now(), slot, previous, next }),
      { size },
      { eligible: (id) => !lagging.has(id) },
    );
    return { clock, selection, changes, lagging };
  }

  it('binds 2 slots to distinct outbound connections, never inbound ones', () => {
    const { clock, selection } = setup();
    for (const id of ['i1', 'i2', 'i3', 'i4']) selection.connectionUp(id, 'inbound');
    selection.start();
    expect(selection.members).to.deep.equal([null, null]);
    selection.connectionUp('o1', 'outbound');
    expect(selection.connected()).to.deep.equal(['o1']);
    selection.connectionUp('o2', 'outbound');
    selection.connectionUp('o3', 'outbound');
    for (let i = 0; i < 50; i++) {
      clock.advance(331_000);
      const members = selection.connected();
      expect(members).to.have.length(2);
      expect(new Set(members).size).to.equal(2);
      for (const m of members) expect(m).to.match(/^o/);
    }
  });

  it('re-draws every 5 min + U(0, 30 s)', () => {
    const { clock, selection, changes } = setup(8);
    for (let i = 0; i < 10; i++) selection.connectionUp(`o${i}`, 'outbound');
    selection.start();
    clock.advance(24 * 3600_000);
    const epochStarts = [...new Set(changes.map((c) => c.at))];
    const gaps = epochStarts.slice(1).map((t, i) => t - epochStarts[i]);
    expect(gaps.length).to.be.greaterThan(200);
    // A redraw may keep a slot; gaps are then multiples of epochs, but every epoch is 300–330 s.
    expect(Math.min(...gaps)).to.be.at.least(300_000);
    expect(gaps.filter((g) => g <= 330_000).length / gaps.length).to.be.greaterThan(0.9);
  });

  it('keeps a re-picked connection in its slot across epochs', () => {
    const { clock, selection, changes } = setup(12);
    selection.connectionUp('o1', 'outbound');
    selection.connectionUp('o2', 'outbound');
    selection.start();
    const before = selection.members;
    changes.length = 0;
    clock.advance(10 * 331_000);
    expect(selection.members).to.deep.equal(before); // only 2 candidates: both always re-picked
    expect(changes).to.deep.equal([]);
  });

  it('moves a slot straight to a replacement when its connection closes', () => {
    const { selection, changes } = setup();
    selection.connectionUp('o1', 'outbound');
    selection.connectionUp('o2', 'outbound');
    selection.connectionUp('o3', 'outbound');
    selection.start();
    const [victim] = selection.connected();
    changes.length = 0;
    selection.connectionDown(victim);
    expect(selection.connected()).to.not.include(victim);
    expect(selection.connected()).to.have.length(2);
    expect(changes).to.have.length(1);
    expect(changes[0].previous).to.equal(victim);
    expect(changes[0].next).to.match(/^o/);
    selection.connectionDown(selection.connected()[0]);
    expect(selection.connected()).to.have.length(1);
    expect(changes[1].next).to.equal(null);
  });

  it('picks only eligible connections, and drops one that stops qualifying at the next re-draw, not before', () => {
    const { clock, selection, changes, lagging } = setup(3);
    for (const id of ['o1', 'o2', 'o3']) selection.connectionUp(id, 'outbound');
    lagging.add('o3');
    selection.start();
    expect(selection.connected().sort()).to.deep.equal(['o1', 'o2']);
    selection.connectionUp('o4', 'outbound');
    lagging.delete('o3');
    lagging.add('o1');
    selection.eligibilityChanged(); // no empty slot: nothing moves mid-epoch
    changes.length = 0;
    clock.advance(299_999);
    expect(selection.connected()).to.include('o1');
    expect(changes).to.deep.equal([]);
    clock.advance(31_000); // the re-draw
    expect(selection.connected()).to.not.include('o1');
    for (let i = 0; i < 30; i++) {
      clock.advance(331_000);
      expect(selection.connected()).to.have.length(2);
      expect(selection.connected()).to.not.include('o1');
    }
    lagging.delete('o1'); // caught up: drawn again in some later epoch
    let seen = false;
    for (let i = 0; i < 30 && !seen; i++) {
      clock.advance(331_000);
      seen = selection.connected().includes('o1');
    }
    expect(seen).to.equal(true);
  });

  it('fills an empty slot as soon as a connection qualifies, and replaces a closed one only with a qualifying one', () => {
    const { selection, changes, lagging } = setup(4);
    for (const id of ['o1', 'o2', 'o3']) selection.connectionUp(id, 'outbound');
    lagging.add('o2').add('o3');
    selection.start();
    expect(selection.members).to.deep.equal(['o1', null]);
    changes.length = 0;
    selection.eligibilityChanged();
    expect(changes).to.deep.equal([]);
    lagging.delete('o3');
    selection.eligibilityChanged();
    expect(selection.connected().sort()).to.deep.equal(['o1', 'o3']);
    selection.connectionDown('o1'); // o2 still lags: the slot stays empty
    expect(selection.connected()).to.deep.equal(['o3']);
    expect(changes.at(-1)).to.deep.include({ previous: 'o1', next: null });
  });

  it('with nothing eligible binds nothing, and binds at once when one qualifies', () => {
    const { selection, lagging } = setup(5);
    lagging.add('o1').add('o2');
    selection.connectionUp('o1', 'outbound');
    selection.connectionUp('o2', 'outbound');
    selection.start();
    expect(selection.members).to.deep.equal([null, null]);
    lagging.delete('o2');
    selection.eligibilityChanged();
    expect(selection.connected()).to.deep.equal(['o2']);
  });
});
