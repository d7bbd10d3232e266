import type { Logger } from '@veilnode/plugin-api';
import type { Clock } from '@veilnode/plugin-api';
import type { Rng } from '../time/rng';
import { CarrierPool, type CarrierPoolConfig } from './carrier-pool';
import { anonymityZone, CarrierError, type CarrierClose, type CarrierOpener } from './carrier-port';
import { EchoTracker, type EchoTrackerConfig } from './echo-tracker';
import type { RelayZoneConfig } from './relay-engine-config';

/** `relay.privateBroadcast` as the engine takes it. */
export interface PrivateBroadcastConfig {
  /** Carriers per sending round of one tx (issue 14: default 2). */
  readonly fanout: number;
  readonly pool?: Partial<CarrierPoolConfig>;
  readonly tracker?: Partial<Omit<EchoTrackerConfig, 'fanout'>>;
}

export interface PrivateBroadcastDeps {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger?: Logger;
  /** A local tx came back from outside its carriers. */
  readonly delivered: (txId: string) => void;
  /** A local tx was handed to carriers of these zones. */
  readonly sent?: (txId: string, zones: readonly string[]) => void;
  /** A carrier that took a local tx closed; true when that counted as its peer's rejection and the tx goes on. */
  readonly carrierClosed?: (txId: string, close: CarrierClose) => boolean;
}

/**
 * Private broadcast as the relay engine runs it: one CarrierPool per anonymity zone that has a
 * carrier opener, and one EchoTracker over all of them (a tx takes the first zone's warm
 * carriers, then the next zone's, so one zone without carriers does not hold it back). A zone's
 * pool starts with the zone's first connection: before that its transport or peers are not
 * there, and carrier opens would only fail.
 */
export class PrivateBroadcast {
  readonly tracker: EchoTracker;
  private readonly pools = new Map<string, CarrierPool>();

  constructor(zones: readonly RelayZoneConfig[], openers: ReadonlyMap<string, CarrierOpener>, config: PrivateBroadcastConfig, deps: PrivateBroadcastDeps) {
    for (const zone of zones) {
      const opener = openers.get(zone.name);
      if (opener === undefined) continue;
      // anonymityZone refuses a public zone: no opener can ever carry a local tx there
      this.pools.set(zone.name, new CarrierPool(anonymityZone(zone), { clock: deps.clock, rng: deps.rng, opener, logger: deps.logger }, config.pool));
    }
    for (const name of openers.keys()) {
      if (!this.pools.has(name)) throw new CarrierError('BAD_CONFIG', `a carrier opener was given for zone ${name}, which the relay engine does not run`, { zone: name });
    }
    this.tracker = new EchoTracker([...this.pools.values()], { clock: deps.clock, logger: deps.logger, delivered: deps.delivered, sent: deps.sent, carrierClosed: deps.carrierClosed }, { ...config.tracker, fanout: config.fanout });
  }

  /** The zones whose carriers take local txs. */
  zones(): string[] {
    return [...this.pools.keys()];
  }

  /** The zone has a connection: its carrier pool starts (once), or refills if an outage emptied it. */
  zoneReachable(zone: string): void {
    const pool = this.pools.get(zone);
    pool?.start();
    pool?.refillIfEmpty();
  }

  stop(): void {
    this.tracker.stop();
    for (const pool of this.pools.values()) pool.stop();
  }
}
