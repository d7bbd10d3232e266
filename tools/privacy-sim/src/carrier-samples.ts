import { SeededRng, pickDistinct } from '@veilnode/node/relay';
import type { CarrierCaptureResult, ObservedConnection } from './carrier-capture';
import type { CaptureWindow } from './noise-capture';
import type { Sample } from './stump-classifier';
import { FEATURES, features } from './traffic-features';

const closedAt = (c: ObservedConnection, end: number) => c.closedAt ?? end;

/**
 * Question (a), which connection carried the tx: one sample per connection and window it was
 * open for entirely, labelled "one of the origin's own txs went out on it in this window"; the
 * window's frames plus the connection's age at the window start (a guard sees circuits built).
 */
export function carriedTxSamples(capture: CarrierCaptureResult, windowMs: number): Sample[] {
  const samples: Sample[] = [];
  for (const c of capture.connections) {
    const first = Math.max(0, Math.ceil((c.openedAt - capture.start) / windowMs));
    for (let w = first; capture.start + (w + 1) * windowMs <= Math.min(closedAt(c, capture.end), capture.end); w++) {
      const from = capture.start + w * windowMs;
      const inWindow = (at: number) => at >= from && at < from + windowMs;
      const window: CaptureWindow = {
        txSent: c.carried.some(inWindow),
        frames: c.frames.filter((f) => inWindow(f.at)).map((f) => ({ at: f.at - from, bytes: f.bytes })),
        ageMs: from - c.openedAt,
      };
      samples.push({ x: features(window), y: window.txSent });
    }
  }
  return samples;
}

/**
 * Question (b), carrier or ordinary connection: one sample per connection whose whole life lies
 * in the capture, its frames from opening to close and its lifetime, labelled "carrier".
 */
export function carrierSamples(capture: CarrierCaptureResult): Sample[] {
  return capture.connections
    .filter((c) => c.openedAt >= capture.start && c.closedAt !== undefined)
    .map((c) => ({ x: features({ txSent: c.carrier, frames: c.frames.map((f) => ({ at: f.at - c.openedAt, bytes: f.bytes })), ageMs: closedAt(c, capture.end) - c.openedAt }), y: c.carrier }));
}

/**
 * Equal numbers of both labels (the larger class drawn down uniformly), so that chance is 50 %
 * whatever the classes' shares: most connection-windows carry no tx, and a classifier always
 * answering "no" would otherwise score their share.
 */
export function balanced(samples: readonly Sample[], seed: number): Sample[] {
  const yes = samples.filter((s) => s.y);
  const no = samples.filter((s) => !s.y);
  const n = Math.min(yes.length, no.length);
  const rng = new SeededRng(seed);
  return [...pickDistinct(rng, yes, n), ...pickDistinct(rng, no, n)];
}

/** The same samples as an observer who sees frames but not when circuits were built (age 0). */
export const framesOnly = (samples: readonly Sample[]): Sample[] => samples.map((s) => ({ y: s.y, x: { ...s.x, ageMs: 0 } }));

/** The same samples with the circuit's age alone (every frame feature 0): the age signal by itself. */
export const ageOnly = (samples: readonly Sample[]): Sample[] =>
  samples.map((s) => ({ y: s.y, x: { ...(Object.fromEntries(FEATURES.map((f) => [f, 0])) as Sample['x']), ageMs: s.x.ageMs } }));
