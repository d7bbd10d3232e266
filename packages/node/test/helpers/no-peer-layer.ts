import type { ComposeOptions } from '../../src/node/compose-node';
import { createRelayService, type NodeRpcSources } from '../../src/node/monerod-rpc-wiring';
import type { PreparedNode } from '../../src/node/prepare-node';
import type { ConnectionHandler } from '../../src/peer/connection-handler';
import type { RelayOutboundPort } from '../../src/relay/relay-outbound-port';

/** Keeps every connection open and discards what the peer sends (so it never blocks on a full buffer). */
export const DISCARDING_HANDLER: ConnectionHandler = { handle: ({ connection }) => void connection.stream.resume() };

/** No connection to send on: the engine keeps local txs in its journal. */
export const NO_CONNECTION_PORT: RelayOutboundPort = { send: () => false, sendNoiseSlot: () => false, dial: () => undefined, close: () => undefined };

/** No chain top learnt, no connection, no peer known. */
export const NOTHING_KNOWN: Omit<NodeRpcSources, 'zoneHealth'> = {
  chain: { chainTop: () => undefined },
  connections: { connections: () => [] },
  peers: { peerList: () => [] },
};

/** What composeNode takes from the peer layer, for tests of the node without one. */
export function withoutPeerLayer(prepared: PreparedNode): Pick<ComposeOptions, 'connectionHandler' | 'relay' | 'rpcSources'> {
  return { connectionHandler: DISCARDING_HANDLER, relay: createRelayService(prepared, NO_CONNECTION_PORT), rpcSources: NOTHING_KNOWN };
}
