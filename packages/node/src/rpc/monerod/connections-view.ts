import { addressFields, isLocalhost, isPrivateIp } from './peer-address-fields';
import { responseBase } from './monerod-response';
import type { ConnectionInfo, ConnectionInfoSource } from './sources';

/**
 * `get_connections` (JSON-RPC): every open p2p connection with monerod's connection_info fields.
 * Served to unrestricted clients only, as monerod does: it names our peers on every zone side by
 * side, which links our clearnet node to our onion/I2P identities.
 */
export class ConnectionsView {
  constructor(
    private readonly source: ConnectionInfoSource,
    private readonly now: () => number,
  ) {}

  getConnections(): object {
    return { ...responseBase(), connections: this.source.connections().map((c) => this.connectionInfo(c)) };
  }

  private connectionInfo(c: ConnectionInfo): object {
    const fields = addressFields(c.address ?? '');
    return {
      incoming: c.direction === 'inbound',
      localhost: isLocalhost(fields.ip),
      local_ip: isPrivateIp(fields.ip),
      address: c.address ?? '',
      host: fields.host,
      ip: fields.ip,
      port: fields.port === 0 ? '' : String(fields.port),
      rpc_port: c.rpcPort,
      rpc_credits_per_hash: 0,
      peer_id: c.peerId.toString(16).padStart(16, '0'),
      recv_count: 0,
      recv_idle_time: 0,
      send_count: 0,
      send_idle_time: 0,
      state: c.ready ? 'normal' : 'before_handshake',
      live_time: c.openedAt === undefined ? 0 : Math.max(0, Math.floor((this.now() - c.openedAt) / 1000)),
      avg_download: 0,
      current_download: 0,
      avg_upload: 0,
      current_upload: 0,
      support_flags: c.supportFlags,
      connection_id: c.id,
      height: c.height,
      pruning_seed: c.pruningSeed,
      address_type: fields.addressType,
      // Not in monerod: which of our zones the connection belongs to.
      zone: c.zone,
    };
  }
}
