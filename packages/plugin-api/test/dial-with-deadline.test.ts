import { getEventListeners } from 'node:events';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { dialWithDeadline } from '../src/dialer';
import { AbortedError, TimeoutError, TransportUnavailableError } from '../src/errors';
import { rejectionOf } from '../src/testing/rejection-of';

/** An attempt that ignores its signal and hands over a stream after `ms`. */
const lateStream = (ms: number) => (): Promise<PassThrough> => new Promise((resolve) => setTimeout(() => resolve(new PassThrough()), ms));

describe('dialWithDeadline', function () {
  it('resolves with the stream of an attempt that finishes in time, leaving no listener behind', async function () {
    const caller = new AbortController();
    const lifetime = new AbortController();
    const stream = await dialWithDeadline({ what: 'dial x', options: { signal: caller.signal }, defaultTimeoutMs: 1000, lifetime: lifetime.signal }, lateStream(5));
    expect(stream.destroyed).to.equal(false);
    expect(getEventListeners(caller.signal, 'abort')).to.have.length(0);
    expect(getEventListeners(lifetime.signal, 'abort')).to.have.length(0);
  });

  it('rejects with TimeoutError at the deadline and destroys a stream that arrives later', async function () {
    let late: PassThrough | undefined;
    const err = await rejectionOf(
      dialWithDeadline({ what: 'dial x', options: { timeoutMs: 20 }, defaultTimeoutMs: 1000, context: { address: 'x' } }, async () => {
        late = await lateStream(60)();
        return late;
      }),
    );
    expect(err).to.be.instanceOf(TimeoutError);
    expect((err as TimeoutError).message).to.equal('dial x timed out after 20 ms');
    expect((err as TimeoutError).context).to.include({ address: 'x', ms: 20 });
    expect(late?.destroyed).to.equal(true);
  });

  it("rejects with AbortedError on the caller's abort, before or during the attempt", async function () {
    let attempted = false;
    const before = await rejectionOf(
      dialWithDeadline({ what: 'dial x', options: { signal: AbortSignal.abort() }, defaultTimeoutMs: 1000 }, async () => {
        attempted = true;
        return new PassThrough();
      }),
    );
    expect(before).to.be.instanceOf(AbortedError);
    expect(attempted, 'an attempt was started although the signal was already aborted').to.equal(false);

    const caller = new AbortController();
    const during = dialWithDeadline({ what: 'dial x', options: { signal: caller.signal }, defaultTimeoutMs: 1000 }, lateStream(30));
    setTimeout(() => caller.abort(), 5);
    expect(await rejectionOf(during)).to.be.instanceOf(AbortedError);
  });

  it("rejects with the lifetime's reason when the transport stops", async function () {
    const lifetime = new AbortController();
    const reason = new TransportUnavailableError('t', 'the transport is stopped');
    const dialing = dialWithDeadline({ what: 'dial x', options: {}, defaultTimeoutMs: 1000, lifetime: lifetime.signal }, lateStream(30));
    lifetime.abort(reason);
    expect(await rejectionOf(dialing)).to.equal(reason);
    expect(await rejectionOf(dialWithDeadline({ what: 'dial x', options: {}, defaultTimeoutMs: 1000, lifetime: lifetime.signal }, lateStream(1)))).to.equal(reason);
  });
});
