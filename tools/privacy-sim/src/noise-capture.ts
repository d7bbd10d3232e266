import { SeededRng, type RelayEngineConfig } from '@veilnode/node/relay';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import { EngineNetwork, type EngineNode } from './engine-network';
import { txBlob } from './run-mode';

/** What a passive observer of one encrypted anonymity link records: when, and how many bytes. */
export interface CapturedFrame {
  readonly at: number;
  /** Bytes on the wire as Tor cells (a relay cell carries 498 payload bytes in 514 bytes). */
  readonly bytes: number;
}

/** One observation window and the truth the classifier must guess. */
export interface CaptureWindow {
  readonly txSent: boolean;
  /** Frame times relative to the window start. */
  readonly frames: readonly CapturedFrame[];
  /**
   * How long the connection had been open when the window began (a guard sees circuits built);
   * absent where every window is on one long-lived link.
   */
  readonly ageMs?: number;
}

export interface CaptureParams {
  readonly noise: boolean;
  readonly windows: number;
  readonly windowMs: number;
  readonly seed: number;
  readonly txBytes: number;
  /**
   * Txs per minute A receives from a public peer and relays (after its cross-zone delay) over its
   * anonymity links too: background traffic the observer must tell A's own tx from. 0 = none.
   */
  readonly relayedPerMinute: number;
  /** Share of windows in which A's wallet submits a tx (default ½). */
  readonly txShare?: number;
}

export const TOR_CELL_BYTES = 514;
export const TOR_CELL_PAYLOAD = 498;
export const toTorCells = (bytes: number) => Math.ceil(bytes / TOR_CELL_PAYLOAD) * TOR_CELL_BYTES;

/** Links of the capture: a Tor circuit, 400 ms one way, 2 Mbit/s. */
export const TOR_LINK = { latencyMs: 400, bytesPerSecond: 250_000 };

/**
 * Background traffic: txs reach `node` from a public peer on `connectionId` as a Poisson process
 * of `relayedPerMinute` (none at 0), for its engine to relay over its anonymity links too.
 */
export function relayFromPublicPeer(network: EngineNetwork, node: EngineNode, connectionId: string, params: Pick<CaptureParams, 'relayedPerMinute' | 'seed' | 'txBytes'>): void {
  if (params.relayedPerMinute <= 0) return;
  const relayed = new SeededRng(params.seed ^ 0xbac6);
  let n = 0;
  const next = () => {
    // Poisson arrivals: exponential gaps.
    network.clock.setTimer(-Math.log(1 - relayed.float()) * (60_000 / params.relayedPerMinute), () => {
      const blob = txBlob(params.seed + 1, n++, params.txBytes);
      node.engine.receive({ zone: 'public', connectionId, txs: [{ id: network.txIds.of(blob), blob }], fluff: true });
      next();
    });
  };
  next();
}

export interface CaptureResult {
  readonly windows: CaptureWindow[];
  /** Bytes per second the observed link carried on average (cell-rounded). */
  readonly linkBytesPerSecond: number;
}

/**
 * Runs the real relay engine of an origin node A with two anonymity-zone peers (B, C) in
 * virtual time and records the A→B link as a passive observer of the encrypted stream would:
 * frame arrival times and cell-rounded sizes. Every window, with probability `txShare` (½), A's wallet
 * submits a tx at a uniform time in the window's first two thirds (the rest lets it leave).
 * Optionally A also relays txs it hears from a public peer P.
 */
export async function captureAnonymityLink(params: CaptureParams): Promise<CaptureResult> {
  const clock = new VirtualClock();
  const observed: CapturedFrame[] = [];
  const network = new EngineNetwork(clock, {
    link: () => TOR_LINK,
    onDelivery: (d) => {
      if (d.from.name === 'A' && d.to.name === 'B') observed.push({ at: d.at, bytes: toTorCells(d.bytes) });
    },
  });
  const config: RelayEngineConfig = {
    zones: [
      { name: 'public', anonymity: false, noise: false, targetOutbound: 12 },
      { name: 'tor', anonymity: true, noise: params.noise, targetOutbound: 2 },
    ],
    rotation: false,
  };
  const [a, b, c] = ['A', 'B', 'C'].map((name, i) => network.node(name, config, params.seed * 31 + i));
  const p = network.node('P', { zones: [config.zones[0]] }, params.seed * 31 + 3);
  for (const node of [a, b, c, p]) node.boot();
  network.connect('tor', a, b);
  network.connect('tor', a, c);
  const fromP = network.connect('public', a, p);
  const start = 60_000;
  clock.runUntil(start);
  // The coin flips and send times come from their own generator, independent of the engines'.
  const draw = new SeededRng(params.seed ^ 0x5eed);
  relayFromPublicPeer(network, a, fromP, params);
  const truth: boolean[] = [];
  for (let w = 0; w < params.windows; w++) {
    const windowStart = start + w * params.windowMs;
    const txSent = draw.float() < (params.txShare ?? 0.5);
    truth.push(txSent);
    if (txSent) {
      clock.runUntil(windowStart + draw.float() * (params.windowMs * 2) / 3);
      await a.engine.submitLocal(txBlob(params.seed, w, params.txBytes));
    }
    clock.runUntil(windowStart + params.windowMs);
  }
  for (const node of [a, b, c, p]) node.engine.stop();
  const windows: CaptureWindow[] = truth.map((txSent) => ({ txSent, frames: [] as CapturedFrame[] }));
  for (const f of observed) {
    const w = Math.floor((f.at - start) / params.windowMs);
    if (w >= 0 && w < windows.length) (windows[w].frames as CapturedFrame[]).push({ at: f.at - start - w * params.windowMs, bytes: f.bytes });
  }
  const total = observed.reduce((n, f) => n + f.bytes, 0);
  return { windows, linkBytesPerSecond: total / ((params.windows * params.windowMs) / 1000) };
}
