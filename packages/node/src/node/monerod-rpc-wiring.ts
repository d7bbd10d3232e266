import { ConfigError, SystemClock } from '@veilnode/plugin-api';
import type { RelayOutboundPort } from '../relay/relay-outbound-port';
import type { CarrierOpener } from '../relay/carrier-port';
import type { NodeConfig } from '../config/core-schema';
import type { RelayEngineConfig, RelayZoneConfig } from '../relay/relay-engine-config';
import { attachMonerodRpc } from '../rpc/monerod/attach-monerod-rpc';
import type { ChainInfoSource, ConnectionInfoSource, PeerListSource, ZoneHealthSource } from '../rpc/monerod/sources';
import type { RpcListeners } from '../rpc/rpc-listeners';
import { UpstreamChainInfo } from '../rpc/upstream/upstream-chain-info';
import type { Upstream } from '../rpc/upstream/upstream';
import { UpstreamForwarder, type HiddenTxFilter } from '../rpc/upstream/upstream-forwarder';
import type { UpstreamTxWatch } from '../rpc/upstream/upstream-tx-watch';
import { coreVersion } from './core-version';
import type { PreparedNode } from './prepare-node';
import { RelayService } from './relay-service';

/** The peer layer's views the monerod RPC reads. */
export interface NodeRpcSources {
  readonly chain: ChainInfoSource;
  readonly connections: ConnectionInfoSource;
  readonly peers: PeerListSource;
  /** The node's zones' health (the Node itself). */
  readonly zoneHealth: ZoneHealthSource;
}

/** The upstream daemon and its watch of our local txs, when rpc.upstream.address is set. */
export interface UpstreamParts {
  readonly upstream?: Upstream;
  readonly watch?: UpstreamTxWatch;
}

/** Without an upstream nothing is forwarded, so no request can name a hidden tx to anyone. */
const NOTHING_HIDDEN: HiddenTxFilter = { namesHiddenTx: async () => false };

/** The engine settings of the `relay` config section. */
function relayEngineConfig(relay: NodeConfig['relay']): Omit<RelayEngineConfig, 'zones'> {
  return {
    crossZoneDelay: { minMs: 0, maxMs: relay.crossZoneDelayMaxMs },
    rejection: { maxAgeMs: relay.localTxMaxAgeHours * 3600_000 },
    pool: { maxTxs: relay.poolMaxTxs, maxBytes: relay.poolMaxBytes, lifetimeMs: relay.poolLifetimeMs },
    peerTxQuota: { txsPerSecond: relay.peerTxsPerSecond, bytesPerSecond: relay.peerTxBytesPerSecond },
    privateBroadcast: { fanout: relay.privateBroadcast.fanout },
  };
}

/**
 * The relay engine over the enabled zones, with its journal in `<dataDir>/txqueue`; `carriers`:
 * the carrier openers of the zones with private broadcast.
 */
export function createRelayService(prepared: PreparedNode, port: RelayOutboundPort, carriers?: ReadonlyMap<string, CarrierOpener>): RelayService {
  const zones: RelayZoneConfig[] = prepared.zones.map((zone) => ({
    name: zone.name,
    anonymity: prepared.registry.zone(zone.name)?.definition.policy.anonymity ?? false,
    noise: zone.noise,
    targetOutbound: zone.maxOutbound,
  }));
  return new RelayService({
    dataDir: prepared.dataDir,
    zones,
    port,
    logger: prepared.logger,
    engine: relayEngineConfig(prepared.config.relay),
    carriers,
  });
}

/**
 * Adds the monerod wallet RPC to every listener. A hidden-service listener must belong to a
 * registered anonymity zone: on the public zone it would be a second clearnet RPC that claims
 * to be hidden.
 */
export function attachNodeRpc(prepared: PreparedNode, listeners: RpcListeners, relay: RelayService, sources: NodeRpcSources, chain: UpstreamParts = {}): void {
  for (const zone of Object.keys(prepared.config.rpc.zones)) {
    const registered = prepared.registry.zone(zone);
    if (registered === undefined) throw new ConfigError(`rpc.zones.${zone}: no zone ${zone} is registered (is its plugin loaded?)`, { path: `rpc.zones.${zone}` });
    if (!registered.definition.policy.anonymity) {
      throw new ConfigError(`rpc.zones.${zone}: ${zone} is not an anonymity zone; a hidden-service RPC needs one`, { path: `rpc.zones.${zone}` });
    }
  }
  const forwarder = new UpstreamForwarder(chain.upstream, chain.watch ?? NOTHING_HIDDEN, prepared.logger.child({ component: 'upstream' }));
  for (const server of listeners.servers) server.setForwarder(forwarder);
  const publicZone = prepared.zones.find((z) => prepared.registry.zone(z.name)?.definition.policy.anonymity === false)?.name ?? 'clearnet';
  attachMonerodRpc(
    listeners.servers,
    prepared.rpcMethods,
    {
      ...sources,
      txs: relay,
      network: prepared.config.network,
      publicZone,
      version: coreVersion(),
      startTime: Date.now(),
      upstreamChain: chain.upstream === undefined ? undefined : new UpstreamChainInfo(chain.upstream, new SystemClock()),
    },
    prepared.logger,
  );
}
