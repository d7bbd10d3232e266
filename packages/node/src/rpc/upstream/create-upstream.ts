import { readFileSync } from 'node:fs';
import { ConfigError, type Logger, type NetworkName, type Clock } from '@veilnode/plugin-api';
import type { UpstreamConfig } from '../../config/core-schema';
import { parseIpPort } from '../../config/host-port';
import { AUTO_UPSTREAM, parseUpstreamAddress } from '../../config/upstream-address';
import { NETTYPE } from '../monerod/info-view';
import type { ConnectionInfoSource } from '../monerod/sources';
import { AutoUpstream } from './auto-upstream';
import type { PublicRpcNodeSource } from './public-rpc-node';
import type { Upstream } from './upstream';
import { UpstreamDaemon } from './upstream-daemon';
import { directDialer, socksDialer, zoneDialer, type StreamDialer, type ZoneStreamOpener } from './upstream-dialers';

/** What the upstream needs of the node around it. */
export interface UpstreamContext {
  readonly network: NetworkName;
  /** The enabled zones, and which are anonymity zones. */
  readonly zones: readonly { readonly name: string; readonly anonymity: boolean }[];
  /** Opens a stream through the zone whose codec claims the address (Node.parseAddress, then Node.openConnection). */
  readonly openStream: ZoneStreamOpener;
  /** `auto`: the peers that advertise a public RPC node. */
  readonly publicNodes: PublicRpcNodeSource;
  /** `auto`: our peers' reported heights. */
  readonly connections: ConnectionInfoSource;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The upstream daemon of `rpc.upstream`, or undefined when none is set. An onion or b32 upstream
 * is dialled through its zone (which must be enabled); a clearnet one directly or through the
 * SOCKS proxy. `auto` picks public nodes from the peers (AutoUpstream).
 */
export function createUpstream(config: UpstreamConfig, context: UpstreamContext): Upstream | undefined {
  if (config.address === null) return undefined;
  if (config.address === AUTO_UPSTREAM) return createAutoUpstream(config, context);
  const address = parseUpstreamAddress(config.address);
  if (typeof address === 'string') throw new ConfigError(`rpc.upstream.address: ${address}`, { path: 'rpc.upstream.address' });
  if (address.zone !== 'clearnet' && !context.zones.some((z) => z.name === address.zone)) {
    throw new ConfigError(`rpc.upstream.address: the upstream is in zone ${address.zone}, which is not enabled (enable it, e.g. with --tx-proxy ${address.zone},...)`, { path: 'rpc.upstream.address' });
  }
  if (address.zone !== 'clearnet' && config.proxy !== null) {
    throw new ConfigError(`rpc.upstream.proxy: an ${address.zone} upstream goes through its zone's own transport; drop the proxy`, { path: 'rpc.upstream.proxy' });
  }
  const dialer = address.zone === 'clearnet' ? clearnetDialer(config) : zoneDialer(context.openStream);
  let tlsCa: string | undefined;
  if (config.sslCertificate !== null) {
    try {
      tlsCa = readFileSync(config.sslCertificate, 'utf8');
    } catch (error) {
      throw new ConfigError(`rpc.upstream.sslCertificate: cannot read ${config.sslCertificate}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { path: 'rpc.upstream.sslCertificate' });
    }
  }
  return new UpstreamDaemon({ address, login: config.login, dialer, connectTimeoutMs: config.connectTimeoutMs, idleTimeoutMs: config.idleTimeoutMs, tlsCa });
}

/** A clearnet upstream: direct, or through `rpc.upstream.proxy` (SOCKS5). */
function clearnetDialer(config: UpstreamConfig): StreamDialer {
  if (config.proxy === null) return directDialer;
  const proxy = parseIpPort(config.proxy);
  if (typeof proxy === 'string') throw new ConfigError(`rpc.upstream.proxy: ${proxy}`, { path: 'rpc.upstream.proxy' });
  return socksDialer(proxy, config.connectTimeoutMs);
}

/**
 * `auto`: public nodes of the enabled anonymity zones, reached through their transports; of the
 * public zone (direct or through the proxy) only when no anonymity zone is enabled. Public nodes
 * take no login and serve plain http, as monerod's auto assumes.
 */
function createAutoUpstream(config: UpstreamConfig, context: UpstreamContext): AutoUpstream {
  if (config.login !== null) throw new ConfigError('rpc.upstream.login: auto picks public RPC nodes, which take no login', { path: 'rpc.upstream.login' });
  if (config.sslCertificate !== null) throw new ConfigError('rpc.upstream.sslCertificate: auto picks public RPC nodes, reached over plain http', { path: 'rpc.upstream.sslCertificate' });
  const anonymityZones = context.zones.filter((z) => z.anonymity).map((z) => z.name);
  const anonymous = anonymityZones.length > 0;
  const dialer = anonymous ? zoneDialer(context.openStream) : clearnetDialer(config);
  return new AutoUpstream({
    nodes: context.publicNodes,
    connections: context.connections,
    zones: anonymous ? anonymityZones : context.zones.map((z) => z.name),
    anonymous,
    nettype: NETTYPE[context.network],
    daemonFor: (node) =>
      new UpstreamDaemon({ address: { tls: false, host: node.host, port: node.port, zone: node.zone }, login: null, dialer, connectTimeoutMs: config.connectTimeoutMs, idleTimeoutMs: config.idleTimeoutMs }),
    clock: context.clock,
    logger: context.logger,
  });
}
