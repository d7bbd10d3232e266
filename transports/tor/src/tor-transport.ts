import { isIP } from 'node:net';
import { join } from 'node:path';
import { DialError, DialErrorCode, InvalidAddressError, SocksProxy, TransportUnavailableError, ZONE_TOR, type DialTarget, type PeerAddress, type TransportContext } from '@veilnode/plugin-api';
import { SocksTransport, type SocksInboundSettings } from '@veilnode/socks-transport';
import { OnionServiceKey } from './onion-service-key';
import { OnionServicePublisher } from './onion-service-publisher';
import { OnionV3Codec } from './onion-v3-codec';
import { readTorConfig, type TorPluginConfig } from './tor-config';

/** Tor's usual SocksPort. monerod has no default; we pick Tor's. */
export const DEFAULT_TOR_PROXY = new SocksProxy(5, '127.0.0.1', 9050);
/** File in the transport's data dir holding our onion service key. */
export const ONION_KEY_FILE = 'onion_v3_private_key';

/**
 * The Tor zone's transport, on the shared SOCKS skeleton. Outbound: the zone's SOCKS proxy with
 * stream isolation by default. Inbound: a local listener that the onion service forwards to —
 * every connection there belongs to the Tor zone and has no remote address (never the 127.0.0.1
 * socket peer). With `tor.control` set it creates that onion service itself (ADD_ONION, key kept
 * in the data dir). Tor ends a stream both ways on the first EOF (no half-close).
 */
export class TorTransport extends SocksTransport {
  readonly settings: TorPluginConfig;
  private publisher: OnionServicePublisher | undefined;

  constructor(private readonly context: TransportContext) {
    const settings = readTorConfig(context.pluginConfig);
    super({
      name: 'tor',
      zone: ZONE_TOR,
      codec: new OnionV3Codec(),
      context,
      proxy: context.zone.proxy ?? DEFAULT_TOR_PROXY,
      isolation: settings.isolation,
      freshIdentity: true,
      dialTimeoutMs: settings.socksTimeoutMs,
      retry: { initialMs: settings.retryInitialMs, maxMs: settings.retryMaxMs },
      ownInbound: settings.control !== null,
      inboundName: 'Tor inbound',
      noInboundHint: 'no inbound configured: set zones.tor.inbound (--anonymous-inbound) or tor.control',
    });
    this.settings = settings;
  }

  /** Resolves when our onion service is published (tests; start-up scripts). */
  whenPublished(signal?: AbortSignal): Promise<void> {
    if (!this.publisher) return Promise.reject(new TransportUnavailableError(this.name, 'no onion service (tor.control unset or not listening)'));
    return this.publisher.whenPublished(signal);
  }

  protected dialTarget(address: PeerAddress): PeerAddress {
    if (address.zone !== this.zone) {
      // The foreign host is not echoed: it may be a clearnet IP.
      throw new DialError(DialErrorCode.ZoneMismatch, `the tor transport cannot dial an address of zone ${address.zone}`, { zone: address.zone });
    }
    try {
      return this.codec.parse(this.codec.format(address));
    } catch (err) {
      const reason = err instanceof InvalidAddressError ? String(err.context.reason) : String(err);
      throw new DialError(DialErrorCode.AddressInvalid, `tor cannot dial ${address.host}:${address.port}: ${reason}`, { zone: address.zone, reason });
    }
  }

  protected async announce(inbound: SocksInboundSettings, port: number): Promise<readonly string[]> {
    const virtualPort = inbound.address?.port ?? this.settings.onionPort;
    if (!this.settings.control) return [this.codec.format(inbound.address as PeerAddress)];
    const key = await this.loadKey(inbound.address);
    // Tor's ADD_ONION target, brackets around an IPv6 host
    await this.publish(key, virtualPort, `${isIP(inbound.bind.host) === 6 ? `[${inbound.bind.host}]` : inbound.bind.host}:${port}`);
    return [`${key.host}:${virtualPort}`];
  }

  protected override async withdraw(): Promise<void> {
    await this.publisher?.stop();
    this.publisher = undefined;
  }

  protected override otherProblems(): ReadonlyArray<string | undefined> {
    return this.publisher && !this.publisher.status.published ? [`onion service not published: ${this.publisher.status.reason}`] : [];
  }

  private async publish(key: OnionServiceKey, virtualPort: number, target: string): Promise<void> {
    const control = this.settings.control as DialTarget;
    await this.publisher?.stop();
    this.publisher = new OnionServicePublisher({
      controlHost: control.host,
      controlPort: control.port,
      password: this.settings.controlPassword ?? undefined,
      key,
      virtualPort,
      target,
      logger: this.logger,
      retryInitialMs: this.settings.retryInitialMs,
      retryMaxMs: this.settings.retryMaxMs,
    });
    this.publisher.start();
  }

  private async loadKey(configured: PeerAddress | undefined): Promise<OnionServiceKey> {
    const { key, created } = await OnionServiceKey.loadOrCreate(join(this.context.dataDir, ONION_KEY_FILE));
    if (created) this.logger.info({ onion: key.host }, 'generated the key of our onion service');
    if (configured && configured.host !== key.host) {
      this.logger.warn({ configured: configured.host, onion: key.host }, 'tor.control is set: announcing the onion created from our key, not the configured one');
    }
    return key;
  }
}
