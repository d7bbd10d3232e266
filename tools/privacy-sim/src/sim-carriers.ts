import { CarrierClosedSignal, DEFAULT_NOISE, SeededRng, uniformDelay, type AnonymityZone, type CarrierClose, type CarrierHandle, type CarrierOpener, type RelayTx } from '@veilnode/node/relay';
import type { EngineNetwork, EngineNode } from './engine-network';

/**
 * A carrier in the simulated network: an outbound connection its owner's relay engine does not
 * know (it carries one local tx and nothing else of the owner's). With noise on, the tx goes in
 * the connection's next noise slot (one every 10–15 s from the opening, the zone's cadence), as
 * a carrier indistinguishable from an ordinary noisy connection would send it.
 */
class SimCarrier implements CarrierHandle {
  readonly closed = new CarrierClosedSignal();
  private nextSlot: number;

  constructor(
    readonly id: string,
    readonly zone: AnonymityZone,
    private readonly network: EngineNetwork,
    private readonly owner: EngineNode,
    private readonly rng: SeededRng,
    private readonly noise: boolean,
  ) {
    this.nextSlot = network.clock.now() + this.tick();
  }

  nextSendAt(): number | undefined {
    if (!this.noise) return undefined;
    const now = this.network.clock.now();
    while (this.nextSlot < now) this.nextSlot += this.tick();
    return this.nextSlot;
  }

  send(tx: RelayTx): boolean {
    if (this.closed.closed) return false;
    const now = this.network.clock.now();
    const at = this.nextSendAt() ?? now;
    this.network.clock.setTimer(at - now, () => this.network.transmit(this.owner, this.id, { kind: 'txs', zone: this.zone, txs: [tx.blob], fluff: false }));
    return true;
  }

  retire(): void {
    this.network.disconnect(this.owner, this.id);
  }

  onClosed(listener: (close: CarrierClose) => void): void {
    this.closed.listen(listener);
  }

  private tick(): number {
    return uniformDelay(this.rng, DEFAULT_NOISE.tickMinMs, DEFAULT_NOISE.tickRangeMs);
  }
}

/** Opens carriers from `owner` to peers drawn uniformly from `peers` (never itself), at once. */
export function simCarrierOpener(network: EngineNetwork, owner: EngineNode, peers: readonly EngineNode[], rng: SeededRng, noise: boolean): CarrierOpener {
  return {
    open: (zone) => {
      let peer = peers[rng.int(peers.length)];
      while (peer === owner) peer = peers[rng.int(peers.length)];
      const ref: { handle?: SimCarrier } = {};
      const id = network.connect(zone, owner, peer, { dialerEngine: false, onClosed: () => ref.handle?.closed.fire() });
      ref.handle = new SimCarrier(id, zone, network, owner, rng, noise);
      return Promise.resolve(ref.handle);
    },
  };
}
