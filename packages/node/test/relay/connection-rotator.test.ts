import { expect } from 'chai';
import { ConnectionRotator } from '../../src/relay/connection-rotator';
import { SeededRng } from '../../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';

describe('ConnectionRotator', () => {
  function setup(target: number, seed = 1, redialMs = 60_000) {
    const clock = new VirtualClock();
    const decisions: string[] = [];
    const live = new Set<string>();
    let dialed = 0;
    const rotator = new ConnectionRotator(clock, new SeededRng(seed), target, {
      dial: () => decisions.push(`dial@${clock.now()}`),
      close: (id) => {
        decisions.push(`close ${id}@${clock.now()}`);
        live.delete(id);
        rotator.connectionDown(id); // the runtime reports the close back
      },
    }, { redialMs });
    const up = (id = `o${++dialed}`) => {
      live.add(id);
      rotator.connectionUp(id, 'outbound');
      return id;
    };
    return { clock, rotator, decisions, live, up };
  }

  it('retires each outbound connection after U(8, 12) min and requests a replacement', () => {
    const { clock, rotator, decisions, up } = setup(2, 1, 3600_000);
    up();
    up();
    rotator.connectionUp('in1', 'inbound');
    clock.advance(479_999);
    expect(decisions).to.deep.equal([]);
    clock.advance(240_001);
    const dials = decisions.filter((d) => d.startsWith('dial'));
    expect(dials).to.have.length(2);
    for (const d of dials) expect(Number(d.split('@')[1])).to.be.within(480_000, 720_000);
    expect(rotator.retiringConnections()).to.have.length(2);
    expect(decisions.some((d) => d.includes('in1'))).to.equal(false);
  });

  it('closes a retiring connection only once its replacement is up, never dropping below target', () => {
    const { clock, rotator, decisions, live, up } = setup(2, 3);
    up();
    up();
    let minimum = Infinity;
    // Simulate a runtime that answers every dial request 20 s later.
    for (let t = 0; t < 6 * 3600_000; t += 5_000) {
      clock.advance(5_000);
      const pendingDials = decisions.filter((d) => d.startsWith('dial') && Number(d.split('@')[1]) <= clock.now() - 20_000);
      for (const d of pendingDials) {
        decisions.splice(decisions.indexOf(d), 1, 'done-' + d);
        up();
      }
      minimum = Math.min(minimum, live.size);
    }
    expect(minimum).to.equal(2);
    const closes = decisions.filter((d) => d.startsWith('close'));
    expect(closes.length).to.be.greaterThan(50);
    expect(rotator.retiringConnections().length).to.be.at.most(2);
  });

  it('re-requests a dial while the replacement does not come up, and closes surplus at once', () => {
    const { clock, decisions, up } = setup(1, 4);
    up('a');
    while (decisions.length === 0) clock.advance(1_000);
    expect(clock.now()).to.be.within(480_000, 720_000);
    clock.advance(180_000);
    expect(decisions.filter((d) => d.startsWith('dial'))).to.have.length(4);
    up('b');
    expect(decisions.filter((d) => d.startsWith('close'))).to.deep.equal([`close a@${clock.now()}`]);
    const dials = decisions.length;
    clock.advance(120_000);
    expect(decisions.length).to.equal(dials); // no more redials once replaced
  });
});
