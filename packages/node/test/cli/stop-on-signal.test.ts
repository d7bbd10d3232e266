import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { STOP_DEADLINE_MS, stopOnSignal } from '../../src/cli/stop-on-signal';
import { RecordingLogger } from '@veilnode/plugin-api/testing';

describe('stop on SIGINT/SIGTERM', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  function setup(stop: () => Promise<void>): { signals: EventEmitter; code: Promise<number>; forced: NodeJS.Signals[]; logger: RecordingLogger } {
    const signals = new EventEmitter();
    const forced: NodeJS.Signals[] = [];
    const logger = new RecordingLogger();
    const code = stopOnSignal({ signals, stop, logger, forceExit: (s) => void forced.push(s) });
    return { signals, code, forced, logger };
  }

  it('exits 0 once the graceful stop finishes', async () => {
    const stop = sinon.stub().resolves();
    const { signals, code } = setup(stop);
    expect(stop.called).to.equal(false);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(stop.calledOnce).to.equal(true);
    expect(await code).to.equal(0);
  });

  it('exits 1 when the stop overruns the 5 s deadline', async () => {
    const { signals, code, logger } = setup(() => new Promise(() => undefined));
    signals.emit('SIGINT', 'SIGINT');
    let settled: number | undefined;
    void code.then((c) => (settled = c));
    await clock.tickAsync(STOP_DEADLINE_MS - 1);
    expect(settled).to.equal(undefined);
    await clock.tickAsync(1);
    expect(settled).to.equal(1);
    expect(logger.entries.map((e) => e.msg)).to.include('graceful stop did not finish in time; exiting');
  });

  it('exits 1 when the stop fails', async () => {
    const { signals, code } = setup(() => Promise.reject(new Error('disk full')));
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await code).to.equal(1);
  });

  it('forces the exit on a second signal and stops only once', async () => {
    const stop = sinon.stub().returns(new Promise(() => undefined));
    const { signals, forced } = setup(stop);
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGINT', 'SIGINT');
    expect(forced).to.deep.equal(['SIGINT']);
    expect(stop.calledOnce).to.equal(true);
  });
});
