import { expect } from 'chai';
import { captureAnonymityLink, crossValidate, features, noiseBench, trainStump, toTorCells } from '../src';

describe('noise vs traffic analysis', function () {
  this.timeout(60_000);

  it('captures only fixed-size frames on a noisy link, and nothing but txs on a quiet one', async function () {
    const noisy = await captureAnonymityLink({ noise: true, windows: 20, windowMs: 60_000, seed: 3, txBytes: 1500, relayedPerMinute: 0 });
    const frames = noisy.windows.flatMap((w) => w.frames);
    expect(frames.length).to.be.greaterThan(20 * 3);
    expect(new Set(frames.map((f) => f.bytes))).to.deep.equal(new Set([toTorCells(3072)]));
    const quiet = await captureAnonymityLink({ noise: false, windows: 20, windowMs: 60_000, seed: 3, txBytes: 1500, relayedPerMinute: 0 });
    for (const w of quiet.windows) expect(w.frames.length > 0, `window with tx=${w.txSent}`).to.equal(w.txSent);
  });

  it('the stump learns a separable feature and cross-validation scores it on held-out samples', function () {
    const samples = Array.from({ length: 40 }, (_, i) => {
      const y = i % 2 === 0;
      return { y, x: features({ txSent: y, frames: y ? [{ at: 1000, bytes: 2000 }] : [] }) };
    });
    expect(trainStump(samples)).to.include({ feature: 'frames', below: false });
    expect(crossValidate(samples, 5, 1).accuracy).to.equal(1);
    const shuffledLabels = samples.map((s, i) => ({ ...s, y: (i * 7) % 3 === 0 }));
    expect(crossValidate(shuffledLabels, 5, 1).accuracy).to.be.below(0.8);
  });

  // The bench's 2,000 windows per condition put noise-on within a ±2 % interval of 50 %; these 200
  // windows only show that noise takes the classifier from certainty to near chance.
  it('finds the tx without noise, and is near chance with noise on', async function () {
    const result = await noiseBench({ windows: 200, windowMs: 60_000, folds: 10, seed: 11, txBytes: 1500, relayedPerMinute: [0, 2] });
    const find = (noise: boolean, rate: number) => result.conditions.find((c) => c.noise === noise && c.relayedPerMinute === rate);
    expect(find(false, 0)?.cv.accuracy).to.be.above(0.95);
    // Relayed txs blur the quiet link's signal, yet the classifier still does better than chance.
    expect(find(false, 2)?.cv.low).to.be.above(0.5);
    for (const rate of [0, 2]) {
      const on = find(true, rate);
      expect(on?.cv.accuracy, `noise on, ${rate} relayed/min`).to.be.within(0.4, 0.6);
      expect(on?.linkBytesPerSecond).to.be.within(200, 400);
    }
  });
});
