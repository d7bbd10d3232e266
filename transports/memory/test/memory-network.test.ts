import { expect } from 'chai';
import { RecordingLogger } from '@veilnode/compliance';
import { TimeoutError } from '@veilnode/plugin-api';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import { LinkPipe } from '../src/link-model';
import { MemoryNetwork } from '../src/memory-network';
import { MemoryStream } from '../src/memory-stream';
import { MemoryTransport } from '../src/memory-transport';

function pair(link: { latencyMs: number; bytesPerSecond: number }) {
  const clock = new VirtualClock();
  const network = new MemoryNetwork({ clock, link: () => link });
  const make = (host: string) => new MemoryTransport({ network, zone: 'clearnet', host, port: 1, logger: new RecordingLogger() });
  return { clock, network, a: make('a'), b: make('b') };
}

/** Lets promise callbacks run between virtual-time steps. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('memory network in virtual time', () => {
  it('connects after one round trip and delivers after latency + size / bandwidth', async () => {
    const { clock, a, b } = pair({ latencyMs: 100, bytesPerSecond: 10_000 });
    const arrivals: Array<{ at: number; bytes: number }> = [];
    await b.listen((connection) => connection.stream.on('data', (chunk: Buffer) => arrivals.push({ at: clock.now(), bytes: chunk.length })));
    let connectedAt: number | undefined;
    const dialing = a.dial({ zone: 'clearnet', host: 'b', port: 1 }).then((c) => ((connectedAt = clock.now()), c));
    clock.advance(199);
    await settle();
    expect(connectedAt, 'not before the round trip').to.equal(undefined);
    clock.advance(1);
    const { stream } = await dialing;
    expect(connectedAt).to.equal(200);
    stream.write(Buffer.alloc(1000));
    stream.write(Buffer.alloc(500));
    await settle();
    clock.advance(1000);
    await settle();
    // 1000 B take 100 ms on the wire, then 100 ms latency; the next 500 B queue behind them.
    expect(arrivals).to.deep.equal([
      { at: 400, bytes: 1000 },
      { at: 450, bytes: 500 },
    ]);
    await a.stop();
    await b.stop();
  });

  it('times out a dial to a black hole on the virtual clock', async () => {
    const { clock, network, a } = pair({ latencyMs: 10, bytesPerSecond: 0 });
    network.blackhole('void:1');
    const dialing = a.dial({ zone: 'clearnet', host: 'void', port: 1 }, { timeoutMs: 5000 }).catch((err: unknown) => err);
    clock.advance(5000);
    expect(await dialing).to.be.instanceOf(TimeoutError);
    await a.stop();
  });

  it('a reset reaches the peer after the link latency', async () => {
    const { clock, a, b } = pair({ latencyMs: 50, bytesPerSecond: 0 });
    let closedAt: number | undefined;
    await b.listen((connection) => connection.stream.on('close', () => (closedAt = clock.now())));
    const dialing = a.dial({ zone: 'clearnet', host: 'b', port: 1 });
    clock.advance(100);
    const { stream } = await dialing;
    stream.destroy();
    await settle();
    clock.advance(49);
    await settle();
    expect(closedAt).to.equal(undefined);
    clock.advance(1);
    await settle();
    expect(closedAt).to.equal(150);
    await b.stop();
  });

  it('keeps byte order even when the clock fires delivery timers out of order (real timers round delays)', async () => {
    // A clock that fires every pending timer newest-first, the worst reordering real timers could do.
    const due: Array<() => void> = [];
    const clock = { now: () => 0, setTimer: (_ms: number, fn: () => void) => (due.push(fn), { cancel: () => undefined }) };
    const fireNewestFirst = () => {
      while (due.length > 0) (due.pop() as () => void)();
    };
    const [a, b] = MemoryStream.pair(clock, new LinkPipe({ latencyMs: 1, bytesPerSecond: 0 }), new LinkPipe({ latencyMs: 1, bytesPerSecond: 0 }));
    const received: Buffer[] = [];
    b.on('data', (chunk: Buffer) => received.push(chunk));
    for (let i = 0; i < 50; i++) a.write(Buffer.from([i]));
    await settle();
    fireNewestFirst();
    await settle();
    expect([...Buffer.concat(received)]).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
    a.destroy();
    b.destroy();
  });

  it('LinkPipe never lets a later message overtake an earlier one', () => {
    const pipe = new LinkPipe({ latencyMs: 20, bytesPerSecond: 1000 });
    expect(pipe.schedule(100, 0)).to.equal(120);
    expect(pipe.schedule(0, 0)).to.equal(120);
    expect(pipe.schedule(10, 500)).to.equal(530);
    expect(pipe.bytesSent).to.equal(110);
  });
});
