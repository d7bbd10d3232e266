import { ConfigError } from '@veilnode/plugin-api';

/** How one direction of a link delays bytes: propagation latency plus serialisation at a bandwidth. */
export interface LinkModel {
  /** One-way propagation delay. */
  readonly latencyMs: number;
  /** Serialisation rate; 0 = unlimited (bytes arrive after the latency alone). */
  readonly bytesPerSecond: number;
}

export const INSTANT_LINK: LinkModel = Object.freeze({ latencyMs: 0, bytesPerSecond: 0 });

export function checkLinkModel(model: LinkModel, path: string): LinkModel {
  for (const key of ['latencyMs', 'bytesPerSecond'] as const) {
    const value = model[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`${path}.${key} must be a finite number >= 0, got ${JSON.stringify(value)}`, { path: `${path}.${key}` });
    }
  }
  return model;
}

/**
 * One direction of a link: a FIFO that serialises messages at the link's bandwidth (a message
 * waits for the previous one to leave) and delivers each after the latency. The same model
 * moves stream chunks in the memory transport and whole messages in the privacy simulator.
 */
export class LinkPipe {
  /** When the last scheduled byte has left the sender. */
  private busyUntil = Number.NEGATIVE_INFINITY;
  private lastArrival = Number.NEGATIVE_INFINITY;
  /** Bytes put on this pipe so far. */
  bytesSent = 0;

  constructor(readonly model: LinkModel) {}

  /** Arrival time of `bytes` sent at `now`; arrivals never overtake earlier ones. */
  schedule(bytes: number, now: number): number {
    const start = Math.max(now, this.busyUntil);
    const serialisation = this.model.bytesPerSecond > 0 ? (bytes * 1000) / this.model.bytesPerSecond : 0;
    this.busyUntil = start + serialisation;
    this.bytesSent += bytes;
    this.lastArrival = Math.max(this.lastArrival, this.busyUntil + this.model.latencyMs);
    return this.lastArrival;
  }
}
