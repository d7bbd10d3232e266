import { ConfigError, type Clock } from '@veilnode/plugin-api';

export interface PeerTxQuotaConfig {
  /** Txs per second a connection may send us, sustained. */
  readonly txsPerSecond: number;
  /** Blob bytes per second a connection may send us, sustained. */
  readonly bytesPerSecond: number;
  /** A connection may send this many seconds' worth at once. */
  readonly burstSeconds: number;
  /**
   * A new connection starts with this many seconds' worth (monerod sends no pool on connect):
   * an attacker reconnecting to get a fresh allowance gets little per handshake.
   */
  readonly initialSeconds: number;
  /**
   * Sources tracked at most; the least recently active is forgotten first. A source keeps its
   * bucket after its connections close (reconnecting earns no fresh allowance), so only an
   * attacker cycling through more address groups than this gets one.
   */
  readonly maxSources: number;
}

/**
 * Each peer sends us every tx of the network once, so its rate is the network's: mainnet
 * averages well under 1 tx/s and its 2024 spam peaks stayed under 10 tx/s. 20 tx/s (256 KiB/s)
 * sustained, 20 s of that (400 txs, 5 MiB) in a burst once it has been connected that long, is
 * ample for an honest peer and bounds what one connection can make us parse, check and hold.
 */
export const DEFAULT_PEER_TX_QUOTA: PeerTxQuotaConfig = Object.freeze({ txsPerSecond: 20, bytesPerSecond: 256 * 1024, burstSeconds: 20, initialSeconds: 2, maxSources: 4096 });

interface Bucket {
  txs: number;
  bytes: number;
  at: number;
}

/** Token buckets of received txs per source (the sender's address group, or its connection). */
export class PeerTxQuota {
  private readonly buckets = new Map<string, Bucket>();
  readonly config: PeerTxQuotaConfig;

  constructor(
    private readonly clock: Clock,
    config: Partial<PeerTxQuotaConfig> = {},
  ) {
    this.config = { ...DEFAULT_PEER_TX_QUOTA, ...config };
    for (const [key, value] of Object.entries(this.config)) {
      if (!(Number.isFinite(value) && value > 0)) throw new ConfigError(`relay peer tx quota ${key} must be > 0, got ${value}`, { path: `relay.peerTxQuota.${key}` });
    }
  }

  /** Spends one tx of `bytes` from the source's allowance; false when it is over quota. */
  take(key: string, bytes: number): boolean {
    const now = this.clock.now();
    const { txsPerSecond, bytesPerSecond, burstSeconds, initialSeconds } = this.config;
    const txBurst = txsPerSecond * burstSeconds;
    const byteBurst = bytesPerSecond * burstSeconds;
    const bucket = this.buckets.get(key) ?? { txs: txsPerSecond * initialSeconds, bytes: bytesPerSecond * initialSeconds, at: now };
    this.buckets.delete(key); // re-inserted last: LRU order
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.config.maxSources) this.buckets.delete(this.buckets.keys().next().value as string);
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.at = now;
    bucket.txs = Math.min(txBurst, bucket.txs + elapsed * txsPerSecond);
    bucket.bytes = Math.min(byteBurst, bucket.bytes + elapsed * bytesPerSecond);
    if (bucket.txs < 1 || bucket.bytes < bytes) return false;
    bucket.txs -= 1;
    bucket.bytes -= bytes;
    return true;
  }
}
