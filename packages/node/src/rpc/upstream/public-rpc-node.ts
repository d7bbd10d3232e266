/** A peer that advertises a public RPC port (monerod's --public-node): an `auto` upstream candidate. */
export interface PublicRpcNode {
  readonly zone: string;
  /** The peer's host in its zone's form: an IP (IPv6 without brackets), an onion or a b32 address. */
  readonly host: string;
  /** The RPC port it advertised. */
  readonly port: number;
}

/** The peers `auto` may pick from (PeerRpcSources reads them from the zones' peer stores). */
export interface PublicRpcNodeSource {
  /**
   * The white-list peers of `zones` (ones we completed a handshake with) that advertise an RPC
   * port. Gray entries are left out: anyone can put any host in a peer list, and we must not
   * send requests to a host no Monero node ever answered us from (a machine in our LAN, say).
   */
  publicRpcNodes(zones: readonly string[]): readonly PublicRpcNode[];
}

/** One key per node: the same host may advertise different ports over time. */
export function publicRpcNodeKey(node: PublicRpcNode): string {
  return `${node.zone}|${node.host}|${node.port}`;
}
