import { expect } from 'chai';
import { balanced, captureCarrierLinks, carriedTxSamples, carrierSamples, framesOnly, noiseBench, toTorCells, type CarrierCaptureResult, type ObservedConnection } from '../src';

const connection = (carrier: boolean, openedAt: number, closedAt: number | undefined, carried: number[] = []): ObservedConnection => ({
  carrier,
  openedAt,
  closedAt,
  frames: [...carried, openedAt + 5_000].map((at) => ({ at, bytes: 514 })),
  carried,
});

const capture = (connections: ObservedConnection[]): CarrierCaptureResult => ({ connections, start: 100_000, end: 400_000, bytesPerConnectionSecond: 0, nodeBytesPerSecond: 0, meanOpenConnections: 0, submitted: 0, undelivered: 0, firstSendDelays: [] });

describe('noise bench with carriers', function () {
  this.timeout(60_000);

  it('captures the real carriers: fixed-size frames from opening to close, one tx each, and ordinary connections beside them', async function () {
    const result = await captureCarrierLinks({ windows: 30, windowMs: 60_000, seed: 3, txBytes: 1500, relayedPerMinute: 0 });
    const carriers = result.connections.filter((c) => c.carrier);
    expect(carriers.length).to.be.greaterThan(6);
    expect(result.connections.some((c) => !c.carrier)).to.equal(true);
    expect(result.submitted).to.be.greaterThan(5);
    const frames = result.connections.flatMap((c) => c.frames);
    expect(new Set(frames.map((f) => f.bytes))).to.deep.equal(new Set([toTorCells(3072)]));
    // Each carrier takes one local tx at most, and some took one.
    for (const c of carriers) expect(c.carried.length).to.be.at.most(1);
    expect(carriers.filter((c) => c.carried.length === 1).length).to.be.greaterThan(0);
    // A closed carrier sent its frames on the noise cadence all its life: no gap over one tick (15 s).
    for (const c of carriers.filter((k) => k.closedAt !== undefined && k.frames.length > 1)) {
      const times = c.frames.map((f) => f.at).sort((x, y) => x - y);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      expect(Math.max(...gaps)).to.be.at.most(15_000 + 100);
    }
    expect(result.bytesPerConnectionSecond).to.be.within(200, 400);
    expect(result.nodeBytesPerSecond).to.be.greaterThan(result.bytesPerConnectionSecond * 3);
  });

  it('a bursty sender submits its txs within one window after each silence, and every one is echoed', async function () {
    const result = await captureCarrierLinks({ windows: 40, windowMs: 60_000, seed: 3, txBytes: 1500, relayedPerMinute: 0, burst: { txs: 5, silenceWindows: 15 } });
    // windows 15 and 31 hold the bursts
    expect(result.submitted).to.equal(10);
    expect(result.undelivered).to.equal(0);
  });

  it('cuts one sample per connection and whole window it was open for, labelled by the own tx it carried, aged from the opening', function () {
    const samples = carriedTxSamples(capture([connection(true, 90_000, 280_000, [170_000]), connection(false, 130_000, undefined)]), 60_000);
    // First connection: windows [100, 160), [160, 220), [220, 280) s; the second opens inside the first window and runs to the end.
    expect(samples.map((s) => [s.y, s.x.ageMs])).to.deep.equal([
      [false, 10_000],
      [true, 70_000],
      [false, 130_000],
      [false, 30_000],
      [false, 90_000],
      [false, 150_000],
      [false, 210_000],
    ]);
  });

  it('takes one sample per connection whose whole life was captured, labelled carrier, aged by its lifetime', function () {
    const samples = carrierSamples(capture([connection(true, 90_000, 200_000), connection(true, 110_000, 300_000), connection(false, 120_000, 250_000), connection(false, 150_000, undefined)]));
    expect(samples.map((s) => [s.y, s.x.ageMs])).to.deep.equal([
      [true, 190_000],
      [false, 130_000],
    ]);
  });

  it('balances the classes by drawing the larger one down', function () {
    const samples = carriedTxSamples(capture([connection(true, 100_000, 400_000, [130_000]), connection(false, 100_000, 400_000)]), 60_000);
    const even = balanced(samples, 1);
    expect(even.filter((s) => s.y).length).to.equal(1);
    expect(even.filter((s) => !s.y).length).to.equal(1);
    expect(even).to.deep.include(samples.find((s) => s.y));
    expect(framesOnly(samples).map((s) => s.x.ageMs)).to.deep.equal(samples.map(() => 0));
    expect(framesOnly(samples).map((s) => s.x.frames)).to.deep.equal(samples.map((s) => s.x.frames));
  });

  it('reports carriers conditions only when asked, with both questions scored on balanced samples', async function () {
    const base = { windows: 60, windowMs: 60_000, folds: 5, seed: 5, txBytes: 1500, relayedPerMinute: [0] };
    expect((await noiseBench(base)).carrierConditions).to.deep.equal([]);
    const result = await noiseBench({ ...base, carrierTxShares: [0.5] });
    expect(result.carrierConditions).to.have.length(1);
    const [c] = result.carrierConditions;
    expect(c).to.include({ txShare: 0.5, relayedPerMinute: 0 });
    expect(c.carriedTx.samples % 2).to.equal(0);
    expect(c.carriedTxFramesOnly.samples).to.equal(c.carriedTx.samples);
    expect(c.carriedTxFramesOnly.stump.feature).to.not.equal('ageMs');
    expect(c.carriedTx.samples).to.be.greaterThan(20);
    expect(c.carrier.samples).to.be.greaterThan(4);
    expect(c.carriersOpened).to.be.greaterThan(c.ordinaryOpened);
  });
});
