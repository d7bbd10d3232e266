import { ConfigError, type Clock, type TimerHandle } from '@veilnode/plugin-api';
import type { RelayTx } from '../routing/types';

/**
 * How far a tx has travelled, as far as privacy is concerned (monerod's relay_method):
 * - `local`: originated here, waiting for or travelling over an anonymity zone;
 * - `forward`: received over an anonymity zone, not yet released to other zones;
 * - `stem`: in a Dandelion++ stem on a public zone, under embargo;
 * - `fluff`: broadcast (by us or seen broadcast by others): public knowledge.
 */
export type RelayState = 'local' | 'forward' | 'stem' | 'fluff';

export interface PoolEntry extends RelayTx {
  readonly state: RelayState;
}

export interface RelayPoolLimits {
  /** Most txs held (local ones included). */
  readonly maxTxs: number;
  /** Most blob bytes held (local ones included). */
  readonly maxBytes: number;
  /** How long a tx is remembered (relay state, senders, dedup) unless forgotten first. */
  readonly lifetimeMs: number;
}

/**
 * 20 000 txs / 48 MiB: a day of mainnet txs at 2024's spam peaks fits many times over in an hour
 * (the lifetime), while a flood cannot take the node's memory past a few hundred MB.
 * One hour, not monerod's 3 days (MEMPOOL_TX_LIVETIME): monerod keeps a tx until it is mined,
 * veilnode has no chain and keeps it only so as not to relay it twice; a tx seen again after an
 * hour is relayed once more, which a monerod peer that has it ignores.
 */
export const DEFAULT_RELAY_POOL_LIMITS: RelayPoolLimits = Object.freeze({ maxTxs: 20_000, maxBytes: 48 * 1024 * 1024, lifetimeMs: 3600_000 });

/** Who gave us a tx: `local`, or the sender's address group (or connection) as `zone␀key`. */
export type TxSource = string;
export const LOCAL_SOURCE: TxSource = 'local';

/** Why a received tx was not taken in. */
export type AdmitRefusal = 'double-spend' | 'pool-full' | 'too-large';

interface Entry {
  readonly tx: RelayTx;
  state: RelayState;
  /** The first source, charged with the tx's bytes while the tx is evictable. */
  readonly owner: TxSource;
  readonly sources: Set<TxSource>;
  /** Why it is never evicted: ours, or received from two or more connections (within a budget). */
  pinned: 'no' | 'local' | 'corroborated';
  readonly keyImages: readonly string[];
  expiry: TimerHandle;
}

interface Contribution {
  bytes: number;
  /** Evictable txs of this source, oldest first (Set keeps insertion order). */
  readonly ids: Set<string>;
}

export interface RelayPoolEvents {
  /** A tx's lifetime ran out; the owner forgets it (or calls `rearm` to keep it). */
  expired(id: string): void;
  /** A tx was pushed out to make room; the owner forgets everything else it knew of it. */
  evicted(id: string): void;
}

/**
 * The relay engine's tx pool, bounded in count and bytes. When full, a new tx pushes out the
 * oldest evictable tx of the source holding the most evictable bytes, so a flooding source (an
 * address group, however often it reconnects) first pushes out its own txs and can never take
 * more than an even share from honest ones. Local txs, and txs that reached us from two or more
 * sources, are never evicted (one source cannot make a tx look corroborated); when only those
 * remain, a new tx is refused. Txs pinned for their second source take at most half the pool's
 * bytes: an attacker with addresses in two groups that corroborates its own junk can hold that
 * half for a lifetime, never the rest.
 * A tx spending a key image another tx in the pool spends is refused (first seen wins, as in
 * monerod's pool). Only `fluff` txs are public: anything else listed by an RPC query would let
 * whoever asks learn that the tx started here, or sits in our stem.
 */
export class RelayPool {
  private readonly entries = new Map<string, Entry>();
  private readonly keyImages = new Map<string, string>();
  private readonly contributions = new Map<TxSource, Contribution>();
  private bytes = 0;
  /** Bytes of txs pinned for their sources (local ones not counted). */
  private corroboratedBytes = 0;
  readonly limits: RelayPoolLimits;

  constructor(
    private readonly clock: Clock,
    private readonly events: RelayPoolEvents,
    limits: Partial<RelayPoolLimits> = {},
  ) {
    this.limits = { ...DEFAULT_RELAY_POOL_LIMITS, ...limits };
    for (const [key, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value < 1) throw new ConfigError(`relay pool ${key} must be an integer >= 1, got ${value}`, { path: `relay.pool.${key}` });
    }
  }

  /** The sources that sent us the tx (none when it is not here). */
  sources(id: string): ReadonlySet<TxSource> {
    return this.entries.get(id)?.sources ?? new Set();
  }

  get(id: string): PoolEntry | undefined {
    const entry = this.entries.get(id);
    return entry === undefined ? undefined : { id, blob: entry.tx.blob, state: entry.state };
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get size(): { readonly txs: number; readonly bytes: number } {
    return { txs: this.entries.size, bytes: this.bytes };
  }

  /**
   * Takes a tx received from `source`, making room by eviction if needed; undefined when taken,
   * else why not. `keyImages` are the tx's (hex), unique within it.
   */
  admit(tx: RelayTx, state: RelayState, source: TxSource, keyImages: readonly string[]): AdmitRefusal | undefined {
    if (this.entries.has(tx.id)) throw new RangeError(`tx ${tx.id} is already in the pool`);
    if (keyImages.some((image) => this.keyImages.has(image))) return 'double-spend';
    const size = tx.blob.length;
    if (size > this.limits.maxBytes) return 'too-large';
    while (this.entries.size + 1 > this.limits.maxTxs || this.bytes + size > this.limits.maxBytes) {
      const victim = this.evictionVictim();
      if (victim === undefined) return 'pool-full';
      this.remove(victim);
      this.events.evicted(victim);
    }
    this.insert(tx, state, source, keyImages);
    return undefined;
  }

  /** A tx of our own: never refused (the durable queue bounds those) and never evicted. */
  addLocal(tx: RelayTx): void {
    if (this.entries.has(tx.id)) {
      this.addSource(tx.id, LOCAL_SOURCE);
      this.setState(tx.id, 'local');
    } else this.insert(tx, 'local', LOCAL_SOURCE, []);
  }

  /** Another source sent a tx we hold: a second source pins it while the budget allows; local always. */
  addSource(id: string, source: TxSource): void {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.sources.has(source)) return;
    entry.sources.add(source);
    if (entry.pinned !== 'no') return;
    const size = entry.tx.blob.length;
    if (source === LOCAL_SOURCE) this.pin(entry, 'local');
    else if (this.corroboratedBytes + size <= this.limits.maxBytes / 2) {
      this.pin(entry, 'corroborated');
      this.corroboratedBytes += size;
    }
  }

  setState(id: string, state: RelayState): void {
    const entry = this.entries.get(id);
    if (entry !== undefined) entry.state = state;
  }

  /** Gives a tx a new full lifetime (a local tx still being delivered). */
  rearm(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    entry.expiry.cancel();
    entry.expiry = this.armExpiry(id);
  }

  remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    entry.expiry.cancel();
    if (entry.pinned === 'no') this.uncharge(entry);
    else if (entry.pinned === 'corroborated') this.corroboratedBytes -= entry.tx.blob.length;
    for (const image of entry.keyImages) this.keyImages.delete(image);
    this.bytes -= entry.tx.blob.length;
    return this.entries.delete(id);
  }

  /** Cancels every expiry timer and forgets everything. */
  clear(): void {
    for (const id of [...this.entries.keys()]) this.remove(id);
  }

  /** What a peer-facing or public RPC query may see: broadcast txs only. */
  *publicTxs(): IterableIterator<PoolEntry> {
    for (const [id, entry] of this.entries) if (entry.state === 'fluff') yield { id, blob: entry.tx.blob, state: entry.state };
  }

  /** Everything, for the operator's own diagnostics (never served on a restricted RPC). */
  *allTxs(): IterableIterator<PoolEntry> {
    for (const [id, entry] of this.entries) yield { id, blob: entry.tx.blob, state: entry.state };
  }

  countByState(): Record<RelayState, number> {
    const counts: Record<RelayState, number> = { local: 0, forward: 0, stem: 0, fluff: 0 };
    for (const entry of this.entries.values()) counts[entry.state]++;
    return counts;
  }

  private insert(tx: RelayTx, state: RelayState, source: TxSource, keyImages: readonly string[]): void {
    const entry: Entry = { tx, state, owner: source, sources: new Set([source]), pinned: source === LOCAL_SOURCE ? 'local' : 'no', keyImages, expiry: this.armExpiry(tx.id) };
    this.entries.set(tx.id, entry);
    this.bytes += tx.blob.length;
    for (const image of keyImages) this.keyImages.set(image, tx.id);
    if (entry.pinned === 'no') this.charge(entry);
  }

  private pin(entry: Entry, why: 'local' | 'corroborated'): void {
    entry.pinned = why;
    this.uncharge(entry);
  }

  private armExpiry(id: string): TimerHandle {
    return this.clock.setTimer(this.limits.lifetimeMs, () => this.events.expired(id));
  }

  private charge(entry: Entry): void {
    let contribution = this.contributions.get(entry.owner);
    if (contribution === undefined) this.contributions.set(entry.owner, (contribution = { bytes: 0, ids: new Set() }));
    contribution.bytes += entry.tx.blob.length;
    contribution.ids.add(entry.tx.id);
  }

  private uncharge(entry: Entry): void {
    const contribution = this.contributions.get(entry.owner);
    if (contribution === undefined || !contribution.ids.delete(entry.tx.id)) return;
    contribution.bytes -= entry.tx.blob.length;
    if (contribution.ids.size === 0) this.contributions.delete(entry.owner);
  }

  /** The oldest evictable tx of the source with the most evictable bytes. */
  private evictionVictim(): string | undefined {
    let biggest: Contribution | undefined;
    for (const contribution of this.contributions.values()) if (biggest === undefined || contribution.bytes > biggest.bytes) biggest = contribution;
    return biggest?.ids.values().next().value;
  }
}
