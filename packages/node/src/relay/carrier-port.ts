import { VeilnodeError } from '@veilnode/plugin-api';
import type { RelayZoneConfig } from './relay-engine-config';
import type { ConnectionClose } from './rejection-tracker';
import type { ConnectionId, RelayTx } from '../routing/types';

declare const anonymityZoneBrand: unique symbol;

/**
 * The name of a zone whose traffic goes through an anonymity network's proxy or bridge (Tor,
 * I2P). Only `anonymityZone` makes one, from a zone config with `anonymity: true`, so a carrier
 * opener, and with it every carrier, can only exist for such a zone: private broadcast has no
 * type that could name the public zone.
 */
export type AnonymityZone = string & { readonly [anonymityZoneBrand]: true };

/** The zone's name as an AnonymityZone; a public zone is refused (CarrierError `NOT_ANONYMITY_ZONE`). */
export function anonymityZone(zone: Pick<RelayZoneConfig, 'name' | 'anonymity'>): AnonymityZone {
  if (!zone.anonymity) throw new CarrierError('NOT_ANONYMITY_ZONE', `zone ${zone.name} is not an anonymity zone: private broadcast never uses it`, { zone: zone.name });
  return zone.name as AnonymityZone;
}

/**
 * One carrier: an outbound connection opened for private broadcast on a fresh circuit (fresh
 * SOCKS isolation credentials) or a fresh I2P transient destination, to a freshly drawn peer.
 * To the peer it looks like any other outbound connection of the zone (same handshake, timed
 * syncs, noise slots when the zone has noise): the transport behind the opener sees to that.
 */
export interface CarrierHandle {
  /** The connection id the peer layer reports this connection under (echoes are matched on it). */
  readonly id: ConnectionId;
  readonly zone: AnonymityZone;
  /**
   * Hands one local tx to the connection (in its next noise slot when the zone has noise). false:
   * the connection is already gone and nothing was written. Called at most once per carrier.
   */
  send(tx: RelayTx): boolean;
  /**
   * When (clock ms) `send` would put a tx on the wire: the connection's next noise slot.
   * Undefined when the zone has no noise (a send goes out at once).
   */
  nextSendAt(): number | undefined;
  /** Closes the connection; idempotent. */
  retire(): void;
  /** `listener` runs once when the connection closes for any reason (peer drop, proxy, retire), told how. */
  onClosed(listener: (close: CarrierClose) => void): void;
}

/**
 * How a carrier ended, for the rejection rule: `byPeer` and `peer` as on any connection (the
 * peer's key is the same opaque key the peer layer gives its ordinary connections to it).
 */
export interface CarrierClose extends ConnectionClose {
  /** Clock ms when the carrier finished writing its tx (every slot of it); undefined when it wrote none or not all. */
  readonly txSentAt: number | undefined;
  /**
   * How many distinct peers the carrier's peer was drawn among (the zone's known peers at the
   * draw): a zone that knows fewer peers than the rule's `rejectingPeers` can never show that
   * many distinct rejections.
   */
  readonly knownPeers: number;
}

/** The close of a carrier that we ended (retired, shut down) or that never carried anything. */
export const CLOSED_BY_US: CarrierClose = Object.freeze({ byPeer: false, txSentAt: undefined, knownPeers: 0 });

/** The transport side of one anonymity zone: opens carriers on it and nowhere else. */
export interface CarrierOpener {
  /** Opens a fresh carrier; rejects when the proxy, the bridge or the peer fails. */
  open(zone: AnonymityZone): Promise<CarrierHandle>;
}

/** Private broadcast could not do what was asked: a bad zone, a full tracker, a wrong handle. */
export class CarrierError extends VeilnodeError {
  constructor(code: 'NOT_ANONYMITY_ZONE' | 'WRONG_ZONE_HANDLE' | 'TRACKER_FULL' | 'BAD_CONFIG', message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

/** The once-only close notice a CarrierHandle implementation owes its `onClosed` listeners. */
export class CarrierClosedSignal {
  private fired: CarrierClose | undefined;
  private readonly listeners: ((close: CarrierClose) => void)[] = [];

  get closed(): boolean {
    return this.fired !== undefined;
  }

  /** Runs `listener` when the signal fires, at once if it already has. */
  listen(listener: (close: CarrierClose) => void): void {
    if (this.fired !== undefined) listener(this.fired);
    else this.listeners.push(listener);
  }

  /** Marks the connection closed (how: `close`) and runs every listener once; later calls do nothing. */
  fire(close: CarrierClose = CLOSED_BY_US): void {
    if (this.fired !== undefined) return;
    this.fired = close;
    for (const l of this.listeners.splice(0)) l(close);
  }
}
