import { addressFields, AddressType, ipv4AsU32 } from './peer-address-fields';
import { responseBase } from './monerod-response';
import { booleanParam } from './plain-endpoint';
import type { PeerListEntry, PeerListSource } from './sources';

/**
 * `get_peer_list` (plain `/get_peer_list` and JSON-RPC): the white and gray lists with monerod's
 * fields. `public_only` (default true, as monerod) limits it to the public zone's book; false adds
 * every anonymity zone's. Unrestricted clients only, as monerod: the lists of several zones side
 * by side link our identities there.
 */
export class PeerListView {
  constructor(
    private readonly source: PeerListSource,
    private readonly publicZone: string,
  ) {}

  getPeerList(params: Record<string, unknown>): object {
    const publicOnly = booleanParam(params, 'public_only', true);
    if (typeof publicOnly === 'string') return { status: 'Failed', reason: publicOnly, untrusted: false };
    const entries = this.source.peerList().filter((e) => !publicOnly || e.zone === this.publicZone);
    const pick = (list: 'white' | 'gray') => entries.filter((e) => e.list === list).map(peer);
    return { ...responseBase(), white_list: pick('white'), gray_list: pick('gray') };
  }
}

function peer(entry: PeerListEntry): object {
  const fields = addressFields(entry.address);
  return {
    // u64: written with every digit by the RPC's JSON writer.
    id: entry.peerId,
    host: fields.host,
    ip: fields.addressType === AddressType.Ipv4 ? ipv4AsU32(fields.ip) : 0,
    port: fields.port,
    rpc_port: entry.rpcPort,
    rpc_credits_per_hash: 0,
    last_seen: Math.floor(entry.lastSeen / 1000),
    pruning_seed: entry.pruningSeed,
    // Not in monerod: the zone whose book the entry is in.
    zone: entry.zone,
  };
}
