import type { CovertSlotBuilder } from '../noise/covert-slot-builder';
import type { NoiseConfig } from '../noise/noise-scheduler';
import { CarrierClosedSignal, type AnonymityZone, type CarrierClose, type CarrierHandle } from '../relay/carrier-port';
import type { RelayTx } from '../exports/relay';
import type { Clock, TimerHandle } from '@veilnode/plugin-api';
import { uniformDelay } from '../time/distributions';
import type { Rng } from '../time/rng';
import type { PeerConnection } from './peer-connection';
import { closedByPeer } from './connection-close';

/** A zone with noise: the carrier sends one fixed-size frame per tick, as a noise channel does. */
export interface CarrierNoise {
  readonly builder: CovertSlotBuilder;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timing: Pick<NoiseConfig, 'tickMinMs' | 'tickRangeMs'>;
  /** Each frame written (the node's noise metric counts carriers' frames with the channels'). */
  readonly sent?: (bytes: number) => void;
}

/** Whom a carrier reaches, as the rejection rule needs it (never an address). */
export interface CarrierPeer {
  /** The peer's opaque key (`opaquePeerKey`). */
  readonly key: string;
  /** Distinct peers it was drawn among. */
  readonly knownPeers: number;
  /** Stamps when the tx went out (a zone without noise has no noise clock). */
  readonly clock: Clock;
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
  private txSentAt: number | undefined;

  /** `drawn`: without it (benchmarks) a close never names the peer, so it never counts as a rejection. */
  constructor(
    private readonly peer: CarrierConnection,
    readonly zone: AnonymityZone,
    private readonly noise?: CarrierNoise,
    private readonly drawn?: CarrierPeer,
  ) {
    void peer.closed.then(({ reason }) => this.ended(reason));
    if (noise !== undefined) this.scheduleTick();
  }

  get id(): string {
    return this.peer.id;
  }

  send(tx: RelayTx): boolean {
    if (this.closed.closed || this.used) return false;
    this.used = true;
    if (this.noise === undefined) {
      const wrote = this.peer.sendTransactions([tx.blob], { fluff: false });
      if (wrote) this.txSentAt = this.drawn?.clock.now();
      return wrote;
    }
    this.slots.push(...this.noise.builder.packTransactions([tx.blob]));
    return true;
  }

  nextSendAt(): number | undefined {
    return this.nextTickAt;
  }

  retire(): void {
    this.peer.close('carrier retired');
    this.ended('carrier retired');
  }

  onClosed(listener: (close: CarrierClose) => void): void {
    this.closed.listen(listener);
  }

  private scheduleTick(): void {
    const noise = this.noise as CarrierNoise;
    const delay = uniformDelay(noise.rng, noise.timing.tickMinMs, noise.timing.tickRangeMs);
    this.nextTickAt = noise.clock.now() + delay;
    this.timer = noise.clock.setTimer(delay, () => {
      if (this.closed.closed) return;
      const carrying = this.slots.length > 0;
      const frame = this.slots.shift() ?? noise.builder.dummy();
      // the connection is gone: its close (and why) arrives through `peer.closed`
      if (!this.peer.sendFrame(frame)) return this.stopTicking();
      if (carrying && this.slots.length === 0) this.txSentAt = noise.clock.now();
      noise.sent?.(frame.length);
      this.scheduleTick();
    });
  }

  private stopTicking(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.nextTickAt = undefined;
  }

  private ended(reason: string): void {
    this.stopTicking();
    this.closed.fire({ byPeer: closedByPeer(reason), peer: this.drawn?.key, txSentAt: this.txSentAt, knownPeers: this.drawn?.knownPeers ?? 0 });
  }
}
