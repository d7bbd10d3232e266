import { expect } from 'chai';
import { ThrottledStream, type PeerRateLimits } from '../../src/net/throttled-stream';
import { TokenBucket } from '../../src/net/token-bucket';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import { duplexPair } from '../helpers/duplex-pair';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function limits(clock: VirtualClock, up: number, down: number): PeerRateLimits {
  return { up: new TokenBucket(up, clock), down: new TokenBucket(down, clock), clock };
}

describe('TokenBucket', () => {
  it('lends one second of rate at once, then makes takers wait for what they overdraw', () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket(1000, clock);
    expect(bucket.take(1000)).to.equal(0);
    expect(bucket.take(500)).to.equal(500);
    expect(bucket.take(500)).to.equal(1000); // the second taker queues behind the first's debt
    clock.advance(1000);
    expect(bucket.take(0)).to.equal(0);
    clock.advance(60_000); // saving is capped at one second's worth
    expect(bucket.take(1500)).to.equal(500);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0, new VirtualClock())).to.throw(RangeError);
  });
});

describe('ThrottledStream', () => {
  it('holds writes of all streams sharing the budget to the upload rate', async () => {
    const clock = new VirtualClock();
    const shared = limits(clock, 1000, 1e9);
    const [a, aRemote] = duplexPair();
    const [b, bRemote] = duplexPair();
    const received: number[] = [];
    for (const remote of [aRemote, bRemote]) remote.on('data', (chunk: Buffer) => received.push(chunk.length));
    const sa = new ThrottledStream(a, shared);
    const sb = new ThrottledStream(b, shared);
    sa.write(Buffer.alloc(1000)); // the saved second
    sb.write(Buffer.alloc(1000));
    sa.write(Buffer.alloc(1000));
    await flush();
    expect(received).to.deep.equal([1000]);
    clock.advance(999);
    await flush();
    expect(received).to.deep.equal([1000]);
    clock.advance(1);
    await flush();
    expect(received).to.deep.equal([1000, 1000]);
    clock.advance(1000);
    await flush();
    expect(received).to.deep.equal([1000, 1000, 1000]);
  });

  it('pauses reading after the download budget is overdrawn and resumes when it has recovered', async () => {
    const clock = new VirtualClock();
    const [inner, remote] = duplexPair();
    const stream = new ThrottledStream(inner, limits(clock, 1e9, 1000));
    const got: number[] = [];
    stream.on('data', (chunk: Buffer) => got.push(chunk.length));
    remote.write(Buffer.alloc(1500));
    await flush();
    expect(got).to.deep.equal([1500]);
    expect(inner.isPaused()).to.equal(true);
    clock.advance(499);
    expect(inner.isPaused()).to.equal(true);
    clock.advance(1);
    expect(inner.isPaused()).to.equal(false);
  });

  it('passes end and destroy through both ways and cancels its timers', async () => {
    const clock = new VirtualClock();
    const [inner, remote] = duplexPair();
    const stream = new ThrottledStream(inner, limits(clock, 10, 10));
    const ended = new Promise<void>((resolve) => stream.on('end', () => resolve()));
    stream.resume();
    remote.end();
    await ended;
    const [inner2] = duplexPair();
    const stream2 = new ThrottledStream(inner2, limits(clock, 10, 10));
    stream2.write(Buffer.alloc(100));
    stream2.write(Buffer.alloc(100));
    stream2.destroy();
    await flush();
    expect(inner2.destroyed).to.equal(true);
    expect(clock.pendingTimers()).to.equal(0);
    const [inner3] = duplexPair();
    const stream3 = new ThrottledStream(inner3, limits(clock, 10, 10));
    inner3.destroy();
    await flush();
    expect(stream3.destroyed).to.equal(true);
  });
});
