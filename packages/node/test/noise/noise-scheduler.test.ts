import { expect } from 'chai';
import { NoiseScheduler, type NoiseMessage } from '../../src/noise/noise-scheduler';
import type { CovertSlotBuilder } from '../../src/noise/covert-slot-builder';
import { SeededRng } from '../../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';

const SLOT = 3072;

/** Frames whose first byte names their kind: 0 dummy, else message tag; byte 1 = slot index. */
const fakeBuilder: CovertSlotBuilder = {
  slotBytes: SLOT,
  packTransactions: (txs) => {
    const count = txs[0][0];
    return Array.from({ length: count }, (_, i) => {
      const frame = new Uint8Array(SLOT);
      frame[0] = txs[0][1];
      frame[1] = i;
      return frame;
    });
  },
  dummy: () => new Uint8Array(SLOT),
};

function message(tag: number, slots: number, priority: NoiseMessage['priority'] = 'local'): NoiseMessage {
  return { key: `m${tag}`, slots: fakeBuilder.packTransactions([Uint8Array.from([slots, tag])]), priority };
}

function setup(seed = 1, config = {}) {
  const clock = new VirtualClock();
  /** Connections held back (e.g. lagging behind the chain). */
  const lagging = new Set<string>();
  const sent: { at: number; conn: string; frame: Uint8Array }[] = [];
  const events: string[] = [];
  const noise = new NoiseScheduler(
    clock,
    new SeededRng(seed),
    fakeBuilder,
    (conn, frame) => sent.push({ at: clock.now(), conn, frame }),
    { delivered: (key, conn) => events.push(`delivered ${key} ${conn}`), failed: (key) => events.push(`failed ${key}`) },
    config,
    { eligible: (id) => !lagging.has(id) },
  );
  return { clock, noise, sent, events, lagging };
}

const kind = (frame: Uint8Array) => (frame[0] === 0 ? 'dummy' : `m${frame[0]}/${frame[1]}`);

describe('NoiseScheduler', () => {
  it('sends exactly one 3072-byte frame per channel every 10 s + U(0, 5 s), dummies when idle', () => {
    const { clock, noise, sent } = setup();
    noise.connectionUp('o1', 'outbound');
    noise.connectionUp('o2', 'outbound');
    noise.connectionUp('i1', 'inbound');
    noise.start();
    clock.advance(290_000); // inside the first channel epoch
    for (const conn of ['o1', 'o2']) {
      const frames = sent.filter((s) => s.conn === conn);
      expect(frames.length).to.be.within(19, 29);
      const gaps = frames.slice(1).map((f, i) => f.at - frames[i].at);
      for (const gap of gaps) expect(gap).to.be.within(10_000, 15_000);
      expect(new Set(gaps).size).to.be.greaterThan(5);
      for (const f of frames) {
        expect(f.frame.length).to.equal(SLOT);
        expect(kind(f.frame)).to.equal('dummy');
      }
    }
    expect(sent.some((s) => s.conn === 'i1')).to.equal(false);
  });

  it('queues a message on every channel and sends its slots in consecutive ticks', () => {
    const { clock, noise, sent, events } = setup(2);
    noise.connectionUp('o1', 'outbound');
    noise.connectionUp('o2', 'outbound');
    noise.start();
    clock.advance(20_000);
    sent.length = 0;
    expect(noise.enqueue(message(7, 3))).to.equal(2);
    clock.advance(60_000);
    for (const conn of ['o1', 'o2']) {
      const kinds = sent.filter((s) => s.conn === conn).map((s) => kind(s.frame));
      expect(kinds.slice(0, 4)).to.deep.equal(['m7/0', 'm7/1', 'm7/2', 'dummy']);
    }
    expect(events).to.have.length(1);
    expect(events[0]).to.match(/^delivered m7 o[12]$/);
  });

  it('never queues a copy on the channel bound to the connection the txs came from', () => {
    const { clock, noise, sent } = setup(2);
    noise.connectionUp('o1', 'outbound');
    noise.connectionUp('o2', 'outbound');
    noise.start();
    expect(noise.enqueue(message(8, 1, 'forward'), new Set(['o1']))).to.equal(1);
    clock.advance(30_000);
    expect(sent.filter((s) => s.conn === 'o1').every((s) => kind(s.frame) === 'dummy')).to.equal(true);
    expect(sent.filter((s) => s.conn === 'o2').map((s) => kind(s.frame))).to.include('m8/0');
  });

  it('abandons the in-flight message on connection loss and never resumes it elsewhere', () => {
    const { clock, noise, sent, events } = setup(3, { selection: { size: 1, epochMinMs: 300_000, epochRangeMs: 30_000 } });
    noise.connectionUp('o1', 'outbound');
    noise.start();
    noise.enqueue(message(5, 3));
    noise.enqueue(message(6, 1));
    clock.advance(15_000); // first tick: m5/0
    expect(sent.map((s) => kind(s.frame))).to.deep.equal(['m5/0']);
    noise.connectionUp('o2', 'outbound');
    noise.connectionDown('o1');
    expect(events).to.deep.equal(['failed m5']);
    clock.advance(30_000);
    const after = sent.slice(1).map((s) => `${s.conn}:${kind(s.frame)}`);
    expect(after[0]).to.equal('o2:m6/0'); // queued message kept, abandoned one not resumed
    expect(after.slice(1).every((k) => k === 'o2:dummy')).to.equal(true);
    expect(events).to.deep.equal(['failed m5', 'delivered m6 o2']);
  });

  it('clears a channel queue when no connection is left and enqueues nothing without connections', () => {
    const { clock, noise, sent, events } = setup(4);
    noise.start();
    expect(noise.enqueue(message(1, 1))).to.equal(0);
    noise.connectionUp('o1', 'outbound');
    noise.enqueue(message(2, 2));
    noise.connectionDown('o1');
    expect(events).to.deep.equal(['failed m2']);
    expect(noise.queuedCopies()).to.equal(0);
    clock.advance(60_000);
    expect(sent).to.deep.equal([]);
  });

  it('puts local messages ahead of relayed ones and caps the relayed backlog', () => {
    const { clock, noise, sent } = setup(5, { selection: { size: 1, epochMinMs: 300_000, epochRangeMs: 0 }, forwardQueueLimit: 2 });
    noise.connectionUp('o1', 'outbound');
    noise.start();
    expect(noise.enqueue(message(1, 1, 'forward'))).to.equal(1);
    expect(noise.enqueue(message(2, 1, 'forward'))).to.equal(1);
    expect(noise.enqueue(message(3, 1, 'forward'))).to.equal(0);
    expect(noise.enqueue(message(9, 1, 'local'))).to.equal(1);
    clock.advance(60_000);
    expect(sent.slice(0, 4).map((s) => kind(s.frame))).to.deep.equal(['m9/0', 'm1/0', 'm2/0', 'dummy']);
  });

  it('binds channels only to eligible connections; one that stops qualifying finishes its message and goes at the re-draw', () => {
    const { clock, noise, sent, events, lagging } = setup(5, { selection: { size: 1, epochMinMs: 300_000, epochRangeMs: 30_000 } });
    noise.connectionUp('o1', 'outbound');
    noise.connectionUp('o2', 'outbound');
    lagging.add('o2');
    noise.start();
    expect(noise.channelConnections()).to.deep.equal(['o1']);
    clock.advance(250_000);
    sent.length = 0;
    noise.enqueue(message(9, 3));
    clock.advance(15_000); // first fragment out
    lagging.add('o1'); // o1 falls behind mid-message
    lagging.delete('o2');
    noise.eligibilityChanged();
    clock.advance(30_000);
    expect(sent.map((s) => `${s.conn}:${kind(s.frame)}`).slice(0, 3)).to.deep.equal(['o1:m9/0', 'o1:m9/1', 'o1:m9/2']);
    expect(events).to.deep.equal(['delivered m9 o1']);
    clock.advance(40_000); // past the re-draw (300–330 s)
    expect(noise.channelConnections()).to.deep.equal(['o2']);
    const before = sent.length;
    clock.advance(30_000);
    const after = sent.slice(before).map((s) => s.conn);
    expect(after).to.have.length.at.least(2);
    expect(new Set(after)).to.deep.equal(new Set(['o2']));
  });

  it('leaves a channel without connection while nothing qualifies, and binds it once one does', () => {
    const { clock, noise, sent, lagging } = setup(6);
    lagging.add('o1');
    noise.connectionUp('o1', 'outbound');
    noise.start();
    expect(noise.enqueue(message(3, 1))).to.equal(0);
    clock.advance(60_000);
    expect(sent).to.deep.equal([]);
    lagging.delete('o1');
    noise.eligibilityChanged();
    expect(noise.channelConnections()).to.deep.equal(['o1']);
    clock.advance(15_000);
    expect(sent.map((s) => s.conn)).to.deep.equal(['o1']);
  });
});
