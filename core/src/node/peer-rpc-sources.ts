import type { AddressCodec } from '../api/address';
import type { PeerService } from '../peer/peer-service';
import type { PeerEntry } from '../peerstore/peer-entry';
import type { ChainInfoSource, ChainTop, PeerListEntry, PeerListSource } from '../rpc/monerod/sources';

/**
 * get_info's chain top and get_peer_list's books, read from the peer service: each zone's chain
 * state (learnt from that zone's peers only) and each zone's persisted peer store.
 */
export class PeerRpcSources implements ChainInfoSource, PeerListSource {
  constructor(
    private readonly peers: PeerService,
    /** The enabled zones and their codecs (for the address text of peer entries). */
    private readonly zones: readonly { readonly name: string; readonly codec: AddressCodec }[],
  ) {}

  chainTop(zone?: string): ChainTop | undefined {
    const names = zone === undefined ? this.zones.map((z) => z.name) : [zone];
    let best: ChainTop | undefined;
    for (const name of names) {
      const current = this.peers.layer.chain(name).current();
      const top = { height: Number(current.current_height), topBlockHash: Buffer.from(current.top_id).toString('hex'), targetHeight: 0 };
      if (best === undefined || top.height > best.height) best = top;
    }
    return best;
  }

  peerList(): PeerListEntry[] {
    return this.zones.flatMap(({ name, codec }) => {
      const store = this.peers.store(name);
      if (store === undefined) return [];
      const entry = (list: 'white' | 'gray') => (e: PeerEntry): PeerListEntry => ({
        zone: name,
        list,
        address: codec.format(e.address),
        peerId: e.peerId,
        lastSeen: e.lastSeen,
        pruningSeed: e.pruningSeed,
        rpcPort: e.rpcPort,
      });
      return [...store.white().map(entry('white')), ...store.gray().map(entry('gray'))];
    });
  }
}
