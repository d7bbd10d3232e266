import { type AddressCodec, type PeerAddress, ConfigError, VeilnodeError, type Logger, type ZoneConfig } from '@veilnode/plugin-api';
import type { ZonePeerStore } from '../peerstore/zone-peer-store';
import { SubnetDiversity } from '../net/subnet-diversity';
import type { Rng } from '../time/rng';

/** An established outbound connection (handshake done); `closed` settles when it ends. */
export interface OutboundSession {
  readonly peerId: bigint;
  /** The RPC port its handshake advertised (monerod's --public-node), 0 for none; absent when unknown. */
  readonly rpcPort?: number;
  readonly closed: Promise<unknown>;
}

/** Dials `address` and completes the handshake; rejects with a typed error when either fails. */
export type ConnectPeer = (address: PeerAddress, signal: AbortSignal) => Promise<OutboundSession>;

export interface OutboundMaintainerOptions {
  readonly zone: Pick<ZoneConfig, 'name' | 'maxOutbound' | 'peers' | 'exclusivePeers' | 'seeds'>;
  readonly codec: AddressCodec;
  readonly store: ZonePeerStore;
  readonly connect: ConnectPeer;
  readonly logger: Logger;
  /** Skip candidates that are already connected some other way (e.g. inbound). */
  readonly isConnected?: (address: PeerAddress) => boolean;
  /** Peers never dialled now (banned, or backed off for flooding us), whoever named them. */
  readonly refused?: (address: PeerAddress) => boolean;
  readonly now?: () => number;
  readonly random?: () => number;
  /** First retry delay after a failure; doubles per consecutive failure. Default 5 s. */
  readonly backoffBaseMs?: number;
  /**
   * Floor between two dials of one peer, whatever happened in between (it also bounds the
   * redials after a transport outage). Default 1 s.
   */
  readonly minDialIntervalMs?: number;
  /**
   * A connection that ends sooner than this after its handshake counts as a failure of the
   * peer (it hung up, rejected our tx, broke the protocol): only a connection that lasted this
   * long resets the peer's back-off. Default 60 s.
   */
  readonly stableAfterMs?: number;
  /** Upper bound of the retry delay. Default 10 min. */
  readonly backoffMaxMs?: number;
  /**
   * Upper bound of the retry delay of the peers the operator named (exclusive and configured
   * peers). They may be the zone's only route, and a queued tx waits for them, so they are
   * retried far sooner than store peers (monerod retries its exclusive nodes on every pass of
   * its connection maker). Default 30 s.
   */
  readonly namedBackoffMaxMs?: number;
  /**
   * The zone's transport health (Tor's SOCKS proxy up...). A dial that fails while it is false
   * is not the peer's fault: the peer keeps its place in the store and its back-off does not
   * grow; and when it turns true again every back-off is forgotten (the failures were the dead
   * path's, not the peers'), so the zone redials at once.
   */
  readonly transportHealthy?: () => boolean;
  /** An anonymity zone (Tor, I2P): peers are logged without their address. */
  readonly anonymity?: boolean;
}

interface Backoff {
  /** Consecutive failures (failed dials and short-lived connections). */
  failures: number;
  /** No dial of this peer before this time. */
  until: number;
  /** When it was last dialled: the 1-per-interval floor survives every reset. */
  lastDialAt: number;
}

/** Jitter keeps this share of a back-off step and draws the rest: delay ∈ (½, 1] × step. */
const JITTER_SHARE = 0.5;

/**
 * Keeps a zone's configured number of outbound peers, like monerod's connection maker:
 * `exclusivePeers` (--add-exclusive-node) are the only peers ever dialled when set; otherwise
 * configured `peers` (--add-peer) come first, then anchors, white and gray peers of the zone's
 * store, and the zone's seeds only while the store is empty. A peer that fails — its dial
 * fails, or its connection ends within `stableAfterMs` of the handshake, whoever closed it —
 * waits an exponentially growing, jittered delay before it is tried again, and no peer is ever
 * dialled twice within `minDialIntervalMs`: nothing a peer does can make us dial it faster.
 * Outside the operator's peers, no two outbound peers share an IPv4 /24, an IPv6 /32 or a
 * hidden-service host (`SubnetDiversity`): a spy renting many addresses in one subnet gets one
 * draw, not one per address.
 */
export class OutboundMaintainer {
  private readonly active = new Map<string, PeerAddress>();
  private readonly pending = new Map<string, { readonly controller: AbortController; readonly address: PeerAddress }>();
  private readonly diversity = new SubnetDiversity();
  private readonly rng: Rng;
  private readonly backoff = new Map<string, Backoff>();
  private readonly exclusive: PeerAddress[];
  private readonly configured: PeerAddress[];
  private readonly seeds: PeerAddress[];
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly named: Set<string>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** The transport was seen unhealthy since the last tick that found it healthy. */
  private sawUnhealthy = false;
  /** "No peer is reachable" was logged; the next connection clears it, so each outage is told once. */
  private toldUnreachable = false;

  constructor(private readonly options: OutboundMaintainerOptions) {
    this.logger = options.logger.child({ component: 'outbound', zone: options.zone.name });
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.rng = { float: () => this.random(), int: (n) => Math.floor(this.random() * n) };
    this.exclusive = this.parseAll(options.zone.exclusivePeers, 'exclusivePeers');
    this.configured = this.parseAll(options.zone.peers, 'peers');
    this.seeds = this.parseAll(options.zone.seeds, 'seeds');
    this.named = new Set([...this.exclusive, ...this.configured].map((a) => this.key(a)));
  }

  /** How many outbound peers this zone wants. */
  get target(): number {
    const max = this.options.zone.maxOutbound;
    return this.exclusive.length > 0 ? Math.min(max, this.exclusive.length) : max;
  }

  /** Addresses of the established outbound connections (what becomes anchors at shutdown). */
  connected(): PeerAddress[] {
    return [...this.active.values()];
  }

  /** Runs tick() every `intervalMs` until stop(). */
  start(intervalMs = 1000): void {
    this.stopped = false;
    this.tick();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Stops dialling, aborts pending dials and records the current outbound peers as anchors. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const { controller } of this.pending.values()) controller.abort();
    this.pending.clear();
    this.options.store.setAnchors(this.connected());
  }

  /** Starts as many dials as there are free outbound slots and eligible candidates. */
  tick(): void {
    if (this.stopped) return;
    this.noteTransportHealth();
    this.pruneBackoff();
    let free = this.target - this.active.size - this.pending.size;
    if (free <= 0) return;
    for (const address of this.candidates()) {
      if (free <= 0) break;
      this.dial(address);
      free--;
    }
  }

  /**
   * Dials one peer beyond the target (a replacement the relay engine asked for before it closes
   * the connection being rotated out). Returns false when no candidate is eligible.
   */
  dialExtra(): boolean {
    if (this.stopped) return false;
    const next = this.candidates()[0];
    if (!next) return false;
    this.dial(next);
    return true;
  }

  /** Entries with nothing left to remember go, so the map stays as small as the failing set. */
  private pruneBackoff(): void {
    const now = this.now();
    for (const [key, entry] of this.backoff) if (entry.failures === 0 && entry.until <= now) this.backoff.delete(key);
  }

  private candidates(): PeerAddress[] {
    const now = this.now();
    const seen = new Set<string>();
    const eligible = (a: PeerAddress): boolean => {
      const key = this.key(a);
      if (seen.has(key)) return false;
      seen.add(key);
      if (this.active.has(key) || this.pending.has(key)) return false;
      if ((this.backoff.get(key)?.until ?? 0) > now) return false;
      if (this.options.refused?.(a) === true) return false;
      return !this.options.isConnected?.(a);
    };
    if (this.exclusive.length > 0) return this.exclusive.filter(eligible);
    // The operator's peers are dialled as named (monerod's priority nodes skip its subnet rule
    // too) but occupy their subnets; every other tier, in order, yields at most one peer per
    // subnet not yet occupied, drawn uniformly within the tier.
    const chosen = this.configured.filter(eligible);
    const occupied = [...this.active.values(), ...[...this.pending.values()].map((p) => p.address), ...chosen].map((a) => a.host);
    const store = this.options.store;
    const tiers = [store.anchors(), store.white(), store.gray()].map((list) => list.map((e) => e.address));
    if (store.isEmpty()) tiers.push(this.seeds);
    for (const tier of tiers) {
      for (const address of this.diversity.qualifying(tier.filter(eligible), occupied, this.rng)) {
        chosen.push(address);
        occupied.push(address.host);
      }
    }
    return chosen;
  }

  private dial(address: PeerAddress): void {
    const key = this.key(address);
    const controller = new AbortController();
    this.pending.set(key, { controller, address });
    // an anonymity zone's peer addresses never reach the logs
    const text = this.options.anonymity === true ? undefined : this.options.codec.format(address);
    this.logger.debug({ peer: text }, 'dialling outbound peer');
    const now = this.now();
    const entry = this.backoff.get(key);
    const floor = now + (this.options.minDialIntervalMs ?? 1000);
    this.backoff.set(key, { failures: entry?.failures ?? 0, until: Math.max(entry?.until ?? 0, floor), lastDialAt: now });
    this.options.connect(address, controller.signal).then(
      (session) => {
        this.pending.delete(key);
        if (this.stopped) return;
        const connectedAt = this.now();
        this.toldUnreachable = false;
        this.active.set(key, address);
        this.options.store.markConnected(address, session.peerId, session.rpcPort);
        this.logger.info({ peer: text, outbound: this.active.size, target: this.target }, 'outbound peer connected');
        void session.closed.finally(() => {
          this.active.delete(key);
          const livedMs = this.now() - connectedAt;
          if (livedMs >= (this.options.stableAfterMs ?? 60_000)) {
            this.backoff.delete(key);
            this.logger.info({ peer: text, outbound: this.active.size }, 'outbound peer disconnected');
          } else {
            const retryInMs = this.failed(key);
            this.logger.info({ peer: text, outbound: this.active.size, livedMs, retryInMs }, 'outbound peer disconnected soon after its handshake; it is redialled after a back-off');
          }
          this.tick();
        });
      },
      (err: unknown) => {
        this.pending.delete(key);
        if (this.stopped) return;
        const code = err instanceof VeilnodeError ? err.code : err instanceof Error ? err.name : typeof err;
        if (!this.noteTransportHealth()) {
          const retryInMs = this.options.backoffBaseMs ?? 5000;
          const entry = this.backoff.get(key);
          this.backoff.set(key, { failures: entry?.failures ?? 0, until: this.now() + retryInMs, lastDialAt: entry?.lastDialAt ?? this.now() });
          this.logger.debug({ peer: text, retryInMs, error: code }, 'outbound dial failed while the zone transport is unhealthy; the peer is not blamed');
          return;
        }
        const retryInMs = this.failed(key);
        this.options.store.markFailed(address);
        this.logger.info(
          { peer: text, failures: this.backoff.get(key)?.failures, retryInMs, error: code },
          'outbound peer failed',
        );
        this.tellIfUnreachable();
      },
    );
  }

  /**
   * Counts one more failure of the peer and sets its next dial time: base × 2^(failures−1),
   * capped (named peers lower), jittered down to half, never sooner than the dial-interval floor
   * after its last dial. Returns the delay from now.
   */
  private failed(key: string): number {
    const now = this.now();
    const entry = this.backoff.get(key);
    const failures = (entry?.failures ?? 0) + 1;
    const maxMs = this.named.has(key) ? (this.options.namedBackoffMaxMs ?? 30_000) : (this.options.backoffMaxMs ?? 600_000);
    const step = Math.min((this.options.backoffBaseMs ?? 5000) * 2 ** (failures - 1), maxMs);
    const lastDialAt = entry?.lastDialAt ?? now;
    const until = Math.max(now + step * (1 - JITTER_SHARE * this.random()), lastDialAt + (this.options.minDialIntervalMs ?? 1000));
    this.backoff.set(key, { failures, until, lastDialAt });
    return until - now;
  }

  /**
   * One warning when nothing is connected, nothing is being dialled and every candidate waits out
   * a back-off: a machine without a route to the network, or a network that refuses us. Dialling
   * goes on as the back-offs expire.
   */
  private tellIfUnreachable(): void {
    if (this.toldUnreachable || this.active.size > 0 || this.pending.size > 0 || this.candidates().length > 0) return;
    this.toldUnreachable = true;
    const nextRetryInMs = Math.max(0, Math.min(...[...this.backoff.values()].map((b) => b.until)) - this.now());
    this.logger.warn(
      { peersTried: this.backoff.size, nextRetryInMs },
      `no ${this.options.zone.name} peer is reachable (no route to the network, or every known peer failed); still trying with back-off`,
    );
  }

  /**
   * Reads the transport's health; on its return after an outage, forgets every back-off (the
   * dials failed on our dead path, e.g. Tor's circuits being rebuilt after a restart, not on the
   * peers). Returns whether the transport is healthy.
   */
  private noteTransportHealth(): boolean {
    const healthy = this.options.transportHealthy?.() ?? true;
    if (!healthy) {
      this.sawUnhealthy = true;
    } else if (this.sawUnhealthy) {
      this.sawUnhealthy = false;
      if (this.backoff.size > 0) this.logger.info({ peers: this.backoff.size }, 'zone transport is back: every peer is retried now');
      // forget the failures, not the dial-interval floor
      const floor = this.options.minDialIntervalMs ?? 1000;
      for (const entry of this.backoff.values()) {
        entry.failures = 0;
        entry.until = entry.lastDialAt + floor;
      }
    }
    return healthy;
  }

  private parseAll(list: readonly string[], path: string): PeerAddress[] {
    return list.map((text) => {
      try {
        return this.options.codec.parse(text);
      } catch (err) {
        throw new ConfigError(`zones.${this.options.zone.name}.${path}: ${err instanceof Error ? err.message : String(err)}`, {
          path: `zones.${this.options.zone.name}.${path}`,
        });
      }
    });
  }

  private key(address: PeerAddress): string {
    return `${address.host}|${address.port}`;
  }
}
