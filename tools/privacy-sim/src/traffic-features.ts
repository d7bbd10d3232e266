import type { CaptureWindow } from './noise-capture';

/** Per-window features a passive observer can compute from frame sizes and times. */
export const FEATURES = ['frames', 'bytes', 'maxFrameBytes', 'minGapMs', 'maxGapMs', 'gapSpreadMs', 'maxBurstBytes', 'ageMs'] as const;
export type FeatureName = (typeof FEATURES)[number];
export type FeatureVector = Record<FeatureName, number>;

/** Burst = bytes within any 1-second span. */
const BURST_MS = 1_000;

export function features(window: CaptureWindow): FeatureVector {
  const frames = [...window.frames].sort((a, b) => a.at - b.at);
  const gaps = frames.slice(1).map((f, i) => f.at - frames[i].at);
  const mean = gaps.reduce((s, g) => s + g, 0) / Math.max(1, gaps.length);
  let maxBurstBytes = 0;
  for (let i = 0, j = 0, sum = 0; i < frames.length; i++) {
    sum += frames[i].bytes;
    while (frames[i].at - frames[j].at > BURST_MS) sum -= frames[j++].bytes;
    maxBurstBytes = Math.max(maxBurstBytes, sum);
  }
  return {
    frames: frames.length,
    bytes: frames.reduce((s, f) => s + f.bytes, 0),
    maxFrameBytes: frames.reduce((m, f) => Math.max(m, f.bytes), 0),
    minGapMs: gaps.length === 0 ? 0 : Math.min(...gaps),
    maxGapMs: gaps.length === 0 ? 0 : Math.max(...gaps),
    gapSpreadMs: Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / Math.max(1, gaps.length)),
    maxBurstBytes,
    ageMs: window.ageMs ?? 0,
  };
}
