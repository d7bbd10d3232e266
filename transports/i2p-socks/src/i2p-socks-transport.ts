import { ZONE_I2P, type PeerAddress, type TransportContext } from '@veilnode/plugin-api';
import { i2pDialTarget, i2pZone } from '@veilnode/i2p-zone';
import { SocksTransport, type SocksInboundSettings } from '@veilnode/socks-transport';
import { DEFAULT_I2P_PROXY, parseI2pSocksConfig, PLUGIN_NAME } from './config';

/**
 * The I2P zone the way monerod reaches it, on the shared SOCKS skeleton: outbound through the
 * router's SOCKS proxy (b32 names go to the proxy as host names and are never resolved here),
 * inbound on a plain TCP listener that a server tunnel in the router forwards to
 * (`--anonymous-inbound <b32>,<ip>:<port>`). Inbound peers are unknown (`remote` undefined): the
 * router does not tell us who they are. i2pd's tunnels end a stream both ways on the first EOF:
 * no half-close (seen on 2.45.1).
 */
export class I2pSocksTransport extends SocksTransport {
  constructor(context: TransportContext) {
    const config = parseI2pSocksConfig(context.pluginConfig);
    super({
      name: PLUGIN_NAME,
      zone: ZONE_I2P,
      codec: i2pZone.codec,
      context: { ...context, logger: context.logger.child({ transport: PLUGIN_NAME }) },
      proxy: context.zone.proxy ?? DEFAULT_I2P_PROXY,
      // isolation credentials mean nothing to an I2P router (no circuits to separate)
      isolation: false,
      dialTimeoutMs: config.dialTimeoutMs,
      inboundName: 'I2P inbound',
      noInboundHint: 'no inbound configured: set zones.i2p.inbound (--anonymous-inbound <b32>,<ip>:<port>) and a server tunnel in the router',
    });
  }

  /** Port ≥ 1 always (the codec maps 0 to 1): i2pd's SOCKS proxy rejects port 0. */
  protected dialTarget(address: PeerAddress): PeerAddress {
    return i2pDialTarget(address, this.name);
  }

  /** Our b32 is the server tunnel the operator configured in the router: nothing to publish. */
  protected async announce(inbound: SocksInboundSettings): Promise<readonly string[]> {
    return [this.codec.format(inbound.address as PeerAddress)];
  }
}
