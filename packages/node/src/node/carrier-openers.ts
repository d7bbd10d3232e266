import { SystemClock, type PeerAddress, type TransportConnection } from '@veilnode/plugin-api';
import { LevinCovertSlotBuilder } from '../noise/levin-covert-slot-builder';
import { DEFAULT_NOISE } from '../noise/noise-scheduler';
import type { PeerEvents } from '../peer/peer-events';
import type { PeerService } from '../peer/peer-service';
import type { CarrierOpener } from '../relay/carrier-port';
import { CryptoRng } from '../time/rng';
import { opensCarriers } from './carrier-zones';
import type { PreparedNode } from './prepare-node';

/**
 * Private broadcast (`relay.privateBroadcast.enabled`): a carrier opener for every anonymity zone
 * whose transport gives fresh identities. Other anonymity zones (I2P today) carry no local tx
 * while one has carriers; with none, local txs go as before private broadcast.
 */
export function carrierOpeners(
  prepared: PreparedNode,
  peers: PeerService,
  dial: (zone: string, address: PeerAddress, signal: AbortSignal) => Promise<TransportConnection>,
  events?: Pick<PeerEvents, 'noiseSent'>,
): Map<string, CarrierOpener> {
  const openers = new Map<string, CarrierOpener>();
  if (!prepared.config.relay.privateBroadcast.enabled) return openers;
  for (const zone of prepared.zones) {
    if (!opensCarriers(prepared.registry, zone)) continue;
    const sent = (bytes: number) => events?.noiseSent?.(zone.name, bytes);
    const noise = zone.noise ? { builder: new LevinCovertSlotBuilder(), clock: new SystemClock(), rng: new CryptoRng(), timing: DEFAULT_NOISE, sent } : undefined;
    openers.set(zone.name, peers.carrierOpener(zone.name, (address, signal) => dial(zone.name, address, signal), noise));
  }
  if (openers.size > 0) prepared.logger.info({ zones: [...openers.keys()], fanout: prepared.config.relay.privateBroadcast.fanout }, 'private broadcast: each local tx goes out on carriers of its own on these zones');
  return openers;
}
