import type { AddressCodec } from '@veilnode/plugin-api';
import type { PeerService } from '../peer/peer-service';
import type { PeerEntry } from '../peerstore/peer-entry';
import type { ChainInfoSource, ChainTop, ConnectionInfo, ConnectionInfoSource, PeerListEntry, PeerListSource } from '../rpc/monerod/sources';
import type { CoreSyncData } from '@veilnode/protocol';
import type { PublicRpcNode, PublicRpcNodeSource } from '../rpc/upstream/public-rpc-node';

/**
 * The peer layer as the monerod RPC reads it (get_info, get_connections, get_peer_list): the
 * chain top each zone learnt from its own peers, the ready connections and the zones' address
 * books. `zones` are the enabled zones, in config order.
 */
export class PeerRpcSources implements ChainInfoSource, ConnectionInfoSource, PeerListSource, PublicRpcNodeSource {
  constructor(
    private readonly peers: PeerService,
    private readonly zones: readonly { readonly name: string; readonly codec: AddressCodec }[],
  ) {}

  /**
   * The top we claim on `zone` (the best over every zone when undefined); undefined while it is
   * still the genesis block we start from, i.e. before a peer of it told us a longer chain.
   */
  chainTop(zone?: string): ChainTop | undefined {
    let best: { sync: CoreSyncData; zone: string } | undefined;
    for (const { name } of this.zones) {
      if (zone !== undefined && name !== zone) continue;
      const sync = this.peers.layer.chain(name).current();
      if (sync.current_height <= 1n) continue;
      if (best === undefined || difficulty(sync) > difficulty(best.sync)) best = { sync, zone: name };
    }
    if (best === undefined) return undefined;
    const height = Number(best.sync.current_height);
    const peerHeights = this.peers.layer.connections(best.zone).map((p) => Number(p.peerSyncData?.current_height ?? 0n));
    const highest = Math.max(0, ...peerHeights);
    return { height, topBlockHash: best.sync.top_id.toString('hex'), targetHeight: highest > height ? highest : 0 };
  }

  connections(): readonly ConnectionInfo[] {
    return this.zones.flatMap(({ name }) =>
      this.peers.layer.connections(name).map((peer) => ({
        zone: name,
        id: peer.id,
        direction: peer.direction,
        address: peer.remote,
        peerId: peer.peer?.peerId ?? 0n,
        ready: peer.state === 'ready',
        height: Number(peer.peerSyncData?.current_height ?? 0n),
        pruningSeed: peer.peerSyncData?.pruning_seed ?? 0,
        supportFlags: peer.peer?.nodeData.support_flags ?? 0,
        rpcPort: peer.peer?.nodeData.rpc_port ?? 0,
        openedAt: peer.openedAt,
      })),
    );
  }

  peerList(): readonly PeerListEntry[] {
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

  publicRpcNodes(zones: readonly string[]): readonly PublicRpcNode[] {
    return zones.flatMap((zone) =>
      (this.peers.store(zone)?.white() ?? []).filter((e) => e.rpcPort !== 0).map((e) => ({ zone, host: e.address.host, port: e.rpcPort })),
    );
  }
}

function difficulty(s: CoreSyncData): bigint {
  return (s.cumulative_difficulty_top64 << 64n) | s.cumulative_difficulty;
}
