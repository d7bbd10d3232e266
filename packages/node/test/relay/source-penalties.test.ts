import { expect } from 'chai';
import { ConfigError } from '@veilnode/plugin-api';
import { SourcePenalties } from '../../src/relay/source-penalties';
import { VirtualClock } from '@veilnode/plugin-api/testing';

const HOUR = 3600_000;

describe('relay/SourcePenalties', () => {
  it('penalises a source on its second strike within the hour, for an hour, and says so once', () => {
    const clock = new VirtualClock(0);
    const penalties = new SourcePenalties(clock);
    expect(penalties.strike('a')).to.equal(false);
    expect(penalties.penalised('a')).to.equal(false);
    clock.advance(HOUR - 1);
    expect(penalties.strike('a')).to.equal(true);
    expect(penalties.penalised('a')).to.equal(true);
    expect(penalties.penalised('b')).to.equal(false);
    clock.advance(1000);
    expect(penalties.strike('a')).to.equal(false); // already penalised: extended, not announced again
    clock.advance(HOUR - 1);
    expect(penalties.penalised('a')).to.equal(true);
    clock.advance(1);
    expect(penalties.penalised('a')).to.equal(false);
  });

  it('forgets strikes older than the strike memory', () => {
    const clock = new VirtualClock(0);
    const penalties = new SourcePenalties(clock);
    penalties.strike('a');
    clock.advance(HOUR);
    expect(penalties.strike('a')).to.equal(false);
    expect(penalties.penalised('a')).to.equal(false);
  });

  it('tracks at most maxSources sources, forgetting the least recently struck', () => {
    const clock = new VirtualClock(0);
    const penalties = new SourcePenalties(clock, { strikes: 1, maxSources: 2 });
    penalties.strike('a');
    penalties.strike('b');
    penalties.strike('a');
    penalties.strike('c');
    expect(['a', 'b', 'c'].map((s) => penalties.penalised(s))).to.deep.equal([true, false, true]);
  });

  it('rejects a setting that is not a positive integer', () => {
    expect(() => new SourcePenalties(new VirtualClock(0), { strikes: 0 })).to.throw(ConfigError, /strikes/);
  });
});
