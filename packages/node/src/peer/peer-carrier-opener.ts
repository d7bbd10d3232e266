import { SystemClock, VeilnodeError, type AddressCodec, type Clock, type PeerAddress, type TransportConnection, type ZoneConfig } from '@veilnode/plugin-api';
import type { ZonePeerStore } from '../peerstore/zone-peer-store';
import type { AnonymityZone, CarrierHandle, CarrierOpener } from '../relay/carrier-port';
import type { Rng } from '../time/rng';
import { PeerCarrier, type CarrierNoise } from './peer-carrier';
import type { PeerLayer } from './peer-layer';
import { opaquePeerKey } from './connection-close';

/**
 * Deadline of one carrier open (fresh identity, dial, handshake). Longer than the transports' own
 * dial deadlines, which then decide: Tor's 45 s SOCKS bound, i2p-sam's 240 s `dialTimeoutMs` (a
 * transient destination's SESSION CREATE alone takes ~20 s on i2pd). 6 min is the longest open
 * after which a carrier can still be handed out: the pool's shortest lifetime (8 min, counted
 * from the open's start) less the 2 min it must have left.
 */
export const CARRIER_OPEN_TIMEOUT_MS = 6 * 60_000;

/** What the opener needs of a running zone; looked up at each open (the zone opens after the engine starts). */
export interface CarrierZone {
  readonly config: Pick<ZoneConfig, 'name' | 'peers' | 'exclusivePeers'>;
  readonly codec: AddressCodec;
  readonly store: ZonePeerStore;
}

export interface PeerCarrierOpenerOptions {
  readonly layer: PeerLayer;
  readonly zone: () => CarrierZone | undefined;
  /** The node's fresh-identity dial (Node.dialCarrier): hands the stream to the layer marked as a carrier. */
  readonly dial: (address: PeerAddress, signal: AbortSignal) => Promise<TransportConnection>;
  readonly rng: Rng;
  /** The zone's noise; undefined when the zone has it off. */
  readonly noise?: CarrierNoise;
  readonly timeoutMs?: number;
  /** Stamps when a carrier's tx went out (for the rejection rule's verdict window). */
  readonly clock?: Clock;
}

/**
 * Opens private-broadcast carriers on one anonymity zone. The peer is drawn uniformly among the
 * zone's known peers (the operator's exclusive peers when set, else configured peers, anchors,
 * white and gray) that no current connection or carrier reaches, so its echo comes back from
 * another peer; when every known peer is connected (a zone of one exclusive peer) it is drawn
 * among all of them. The dial gets a fresh identity from the transport (a new SOCKS
 * username/password: its own Tor circuit), and the handshake, timed syncs and noise are those of
 * any connection of the zone.
 */
export class PeerCarrierOpener implements CarrierOpener {
  constructor(private readonly options: PeerCarrierOpenerOptions) {}

  async open(zone: AnonymityZone): Promise<CarrierHandle> {
    const running = this.options.zone();
    if (running === undefined || running.config.name !== zone) throw new VeilnodeError('ZONE_NOT_RUNNING', `zone ${zone} is not running: no carrier`, { zone });
    const { address, knownPeers } = this.draw(running);
    const signal = AbortSignal.timeout(this.options.timeoutMs ?? CARRIER_OPEN_TIMEOUT_MS);
    const peer = await this.options.layer.connectCarrier(address, signal, this.options.dial);
    return new PeerCarrier(peer, zone, this.options.noise, { key: opaquePeerKey(address), knownPeers, clock: this.options.clock ?? new SystemClock() });
  }

  /** The peer, and how many distinct peers the zone knew (what the draw was among at most). */
  private draw({ config, codec, store }: CarrierZone): { address: PeerAddress; knownPeers: number } {
    const parse = (list: readonly string[]) => list.map((text) => codec.parse(text));
    const exclusive = parse(config.exclusivePeers);
    const known = exclusive.length > 0 ? exclusive : [...parse(config.peers), ...[...store.anchors(), ...store.white(), ...store.gray()].map((e) => e.address)];
    const unique = [...new Map(known.map((a) => [codec.format(a), a])).values()];
    const connected = this.options.layer.remotes(config.name);
    const outside = unique.filter((a) => !connected.has(codec.format(a)));
    const candidates = outside.length > 0 ? outside : unique;
    if (candidates.length === 0) throw new VeilnodeError('NO_CARRIER_PEER', `zone ${config.name} knows no peer to open a carrier to`, { zone: config.name });
    return { address: candidates[this.options.rng.int(candidates.length)], knownPeers: unique.length };
  }
}
