import type { CovertSlotBuilder } from '../noise/covert-slot-builder';
import type { NoiseConfig } from '../noise/noise-scheduler';
import { CarrierClosedSignal, type AnonymityZone, type CarrierHandle } from '../relay/carrier-port';
import type { RelayTx } from '../exports/relay';
import type { Clock, TimerHandle } from '@veilnode/plugin-api';
import { uniformDelay } from '../time/distributions';
import type { Rng } from '../time/rng';
import type { PeerConnection } from './peer-connection';

/** A zone with noise: the carrier sends one fixed-size frame per tick, as a noise channel does. */
export interface CarrierNoise {
  readonly builder: CovertSlotBuilder;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timing: Pick<NoiseConfig, 'tickMinMs' | 'tickRangeMs'>;
  /** Each frame written (the node's noise metric counts carriers' frames with the channels'). */
  readonly sent?: (bytes: number) => void;
}

/** What a carrier needs of its connection (a benchmark drives carriers over a simulated link). */
export type CarrierConnection = Pick<PeerConnection, 'id' | 'closed' | 'sendTransactions' | 'sendFrame' | 'close'>;

/**
 * A private-broadcast carrier over one PeerConnection. The connection did its handshake and runs
 * its timed syncs like any other; on a noise zone the carrier also sends one frame every tick
 * (10 s + U(0, 5 s)) from its handshake on, dummies until its one tx is packed into the slots,
 * so to the peer and to anyone watching the link it looks like an ordinary noise channel. On a
 * zone without noise the tx goes out at once as a stem 2002.
 */
export class PeerCarrier implements CarrierHandle {
  private readonly closed = new CarrierClosedSignal();
  private readonly slots: Uint8Array[] = [];
  private nextTickAt: number | undefined;
  private timer: TimerHandle | undefined;
  private used = false;

  constructor(
    private readonly peer: CarrierConnection,
    readonly zone: AnonymityZone,
    private readonly noise?: CarrierNoise,
  ) {
    void peer.closed.then(() => this.ended());
    if (noise !== undefined) this.scheduleTick();
  }

  get id(): string {
    return this.peer.id;
  }

  send(tx: RelayTx): boolean {
    if (this.closed.closed || this.used) return false;
    this.used = true;
    if (this.noise === undefined) return this.peer.sendTransactions([tx.blob], { fluff: false });
    this.slots.push(...this.noise.builder.packTransactions([tx.blob]));
    return true;
  }

  nextSendAt(): number | undefined {
    return this.nextTickAt;
  }

  retire(): void {
    this.peer.close('carrier retired');
    this.ended();
  }

  onClosed(listener: () => void): void {
    this.closed.listen(listener);
  }

  private scheduleTick(): void {
    const noise = this.noise as CarrierNoise;
    const delay = uniformDelay(noise.rng, noise.timing.tickMinMs, noise.timing.tickRangeMs);
    this.nextTickAt = noise.clock.now() + delay;
    this.timer = noise.clock.setTimer(delay, () => {
      if (this.closed.closed) return;
      const frame = this.slots.shift() ?? noise.builder.dummy();
      if (!this.peer.sendFrame(frame)) return this.ended();
      noise.sent?.(frame.length);
      this.scheduleTick();
    });
  }

  private ended(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.nextTickAt = undefined;
    this.closed.fire();
  }
}
