import type { PeerLayer } from '../peer/peer-layer';
import type { PeerConnection } from '../peer/peer-connection';
import type { ConnectionInfo, ConnectionInfoSource } from '../rpc/monerod/sources';
import type { ConnectionHandler, ZoneConnection } from './connection-handler';
import type { RelayService } from './relay-service';

interface OpenConnection {
  readonly peer: PeerConnection;
  readonly zone: string;
  readonly remote: string | undefined;
  readonly openedAt: number;
}

/**
 * The node's ConnectionHandler when the relay engine runs: the peer layer speaks Levin on each
 * connection; the relay engine hears when one is ready (it may then carry txs) and when it
 * closes, and gets every received tx. It also answers get_connections (with the zone-safe
 * remote text the kernel gave the connection).
 */
export class RelayingConnectionHandler implements ConnectionHandler, ConnectionInfoSource {
  private readonly open = new Map<string, OpenConnection>();

  constructor(
    private readonly layer: PeerLayer,
    private readonly relay: Pick<RelayService, 'connectionUp' | 'connectionDown' | 'receive'>,
    private readonly now: () => number = Date.now,
  ) {
    layer.setTxSink({ receive: (batch) => relay.receive(batch) });
  }

  handle(info: ZoneConnection): void {
    const peer = this.layer.attach(info);
    this.open.set(peer.id, { peer, zone: info.zone, remote: info.remote, openedAt: this.now() });
    let up = false;
    // The layer registered its own `ready` reaction first, so the engine finds the connection ready.
    peer.ready.then(
      () => {
        up = true;
        this.relay.connectionUp(info.zone, peer.id, peer.direction);
      },
      () => undefined,
    );
    void peer.closed.then(() => {
      this.open.delete(peer.id);
      if (up) this.relay.connectionDown(info.zone, peer.id);
    });
  }

  connections(): ConnectionInfo[] {
    return [...this.open.values()].map(({ peer, zone, remote, openedAt }) => {
      const handshake = peer.peer;
      const sync = peer.peerSyncData ?? handshake?.syncData;
      return {
        zone,
        id: peer.id,
        direction: peer.direction,
        address: remote,
        peerId: handshake?.peerId ?? 0n,
        ready: peer.state === 'ready',
        height: sync === undefined ? 0 : Number(sync.current_height),
        pruningSeed: sync?.pruning_seed ?? 0,
        supportFlags: handshake?.nodeData.support_flags ?? 0,
        rpcPort: handshake?.nodeData.rpc_port ?? 0,
        openedAt,
      };
    });
  }
}
