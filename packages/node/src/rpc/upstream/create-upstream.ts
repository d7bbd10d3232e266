import { readFileSync } from 'node:fs';
import { ConfigError } from '@veilnode/plugin-api';
import type { UpstreamConfig } from '../../config/core-schema';
import { parseIpPort } from '../../config/host-port';
import { parseUpstreamAddress } from '../../config/upstream-address';
import { UpstreamDaemon } from './upstream-daemon';
import { directDialer, socksDialer, zoneDialer, type ZoneStreamOpener } from './upstream-dialers';

/**
 * The upstream daemon of `rpc.upstream`, or undefined when none is set. An onion or b32 upstream
 * is dialled through its zone (which must be enabled); a clearnet one directly or through the
 * SOCKS proxy.
 */
export function createUpstream(config: UpstreamConfig, enabledZones: readonly string[], openStream: ZoneStreamOpener): UpstreamDaemon | undefined {
  if (config.address === null) return undefined;
  const address = parseUpstreamAddress(config.address);
  if (typeof address === 'string') throw new ConfigError(`rpc.upstream.address: ${address}`, { path: 'rpc.upstream.address' });
  if (address.zone !== 'clearnet' && !enabledZones.includes(address.zone)) {
    throw new ConfigError(`rpc.upstream.address: the upstream is in zone ${address.zone}, which is not enabled (enable it, e.g. with --tx-proxy ${address.zone},...)`, { path: 'rpc.upstream.address' });
  }
  if (address.zone !== 'clearnet' && config.proxy !== null) {
    throw new ConfigError(`rpc.upstream.proxy: an ${address.zone} upstream goes through its zone's own transport; drop the proxy`, { path: 'rpc.upstream.proxy' });
  }
  let dialer = directDialer;
  if (address.zone !== 'clearnet') dialer = zoneDialer(openStream);
  else if (config.proxy !== null) {
    const proxy = parseIpPort(config.proxy);
    if (typeof proxy === 'string') throw new ConfigError(`rpc.upstream.proxy: ${proxy}`, { path: 'rpc.upstream.proxy' });
    dialer = socksDialer(proxy, config.connectTimeoutMs);
  }
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
