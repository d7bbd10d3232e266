import { readFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type AddressCodec, type PeerAddress, type WireAddress, type Logger, VeilnodeError, writeFileAtomic } from '@veilnode/plugin-api';
import { MAX_PEERLIST_ENTRIES } from '@veilnode/protocol';
import { isLoopbackOrUnspecified } from './local-wire-address';
import { PeerListRejectedError } from './peer-list-error';
import { advertisedRpcPort } from './rpc-port';
import {
  ANCHOR_LIST_LIMIT,
  GRAY_LIST_LIMIT,
  WHITE_LIST_LIMIT,
  type PeerEntry,
  type ReceivedPeerEntry,
} from './peer-entry';

export interface ZonePeerStoreOptions {
  readonly zone: string;
  /** The zone's codec: the only thing allowed to turn wire/text forms into addresses. */
  readonly codec: AddressCodec;
  /** Anonymity zone: never log address contents of dropped entries (they may be clearnet IPs). */
  readonly anonymity: boolean;
  /** JSON file in the data dir; undefined keeps the store in memory only. */
  readonly file?: string;
  readonly logger: Logger;
  /** Keep loopback/unspecified IPs from peer lists (loopback tests only). Default false. */
  readonly allowLoopback?: boolean;
  /** Peers the operator banned (`--ban-list`): dropped from every list we receive or load, never stored. */
  readonly isBanned?: (address: PeerAddress) => boolean;
  readonly now?: () => number;
}

export interface IngestResult {
  readonly accepted: number;
  readonly dropped: number;
}

interface StoredEntry {
  address: string;
  peerId: string;
  lastSeen: number;
  pruningSeed?: number;
  rpcPort?: number;
}

interface StoreFile {
  version: 1;
  zone: string;
  white: StoredEntry[];
  gray: StoredEntry[];
  anchor: StoredEntry[];
}

type ListName = 'white' | 'gray' | 'anchor';

/**
 * One zone's address book, like monerod's peerlist manager: a white list (peers we completed a
 * handshake with), a gray list (peers we only heard of) and anchors (our outbound peers at the
 * last shutdown, tried first on start). Filled only from that zone's handshakes and timed syncs;
 * every received entry goes through the zone's codec, and a bad entry is dropped, never stored.
 */
export class ZonePeerStore {
  readonly zone: string;
  private readonly lists: Record<ListName, Map<string, PeerEntry>> = {
    white: new Map(),
    gray: new Map(),
    anchor: new Map(),
  };
  private readonly codec: AddressCodec;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly options: ZonePeerStoreOptions) {
    this.zone = options.zone;
    this.codec = options.codec;
    this.logger = options.logger.child({ component: 'peerstore', zone: options.zone });
    this.now = options.now ?? Date.now;
  }

  get sizes(): { white: number; gray: number; anchor: number } {
    return { white: this.lists.white.size, gray: this.lists.gray.size, anchor: this.lists.anchor.size };
  }

  isEmpty(): boolean {
    return this.lists.white.size + this.lists.gray.size + this.lists.anchor.size === 0;
  }

  white(): PeerEntry[] {
    return [...this.lists.white.values()];
  }

  gray(): PeerEntry[] {
    return [...this.lists.gray.values()];
  }

  anchors(): PeerEntry[] {
    return [...this.lists.anchor.values()];
  }

  has(address: PeerAddress): boolean {
    const key = this.key(address);
    return this.lists.white.has(key) || this.lists.gray.has(key) || this.lists.anchor.has(key);
  }

  /**
   * Takes a peer list received from a peer of this zone. More than 250 entries rejects the whole
   * list (PeerListRejectedError); otherwise each entry is converted with the zone codec, and a
   * malformed, wrong-zone or loopback entry is dropped with a log line. New peers go to the gray
   * list; known ones get a fresh last-seen time.
   */
  ingest(entries: readonly ReceivedPeerEntry[], source: string): IngestResult {
    if (entries.length > MAX_PEERLIST_ENTRIES) {
      throw new PeerListRejectedError(this.zone, `${entries.length} entries exceed the limit of ${MAX_PEERLIST_ENTRIES}`, {
        source,
        entries: entries.length,
      });
    }
    let accepted = 0;
    let banned = 0;
    entries.forEach((entry, index) => {
      const address = this.convert(entry, index, source);
      if (!address) return;
      // counted, not logged one by one: a peer decides how many banned entries it sends us
      if (this.options.isBanned?.(address) === true) return void banned++;
      accepted++;
      const key = this.key(address);
      const existing = this.lists.white.get(key) ?? this.lists.gray.get(key);
      const updated: PeerEntry = {
        address,
        peerId: entry.id,
        lastSeen: this.now(),
        pruningSeed: entry.pruningSeed ?? existing?.pruningSeed ?? 0,
        rpcPort: entry.rpcPort === undefined ? (existing?.rpcPort ?? 0) : advertisedRpcPort(entry.rpcPort),
      };
      if (this.lists.white.has(key)) this.lists.white.set(key, updated);
      else this.put('gray', key, updated, GRAY_LIST_LIMIT);
    });
    const dropped = entries.length - accepted;
    this.logger.debug({ source, accepted, dropped, banned, ...this.sizes }, 'peer list ingested');
    return { accepted, dropped };
  }

  /**
   * A handshake with `address` completed: it belongs on the white list. `rpcPort` is the RPC port
   * its handshake advertised (0: none); the peer's own word replaces what peer lists said of it.
   */
  markConnected(address: PeerAddress, peerId: bigint, rpcPort?: number): void {
    this.assertZone(address);
    const key = this.key(address);
    const previous = this.lists.white.get(key) ?? this.lists.gray.get(key) ?? this.lists.anchor.get(key);
    this.lists.gray.delete(key);
    const advertised = rpcPort === undefined ? {} : { rpcPort: advertisedRpcPort(rpcPort) };
    this.put('white', key, { pruningSeed: 0, rpcPort: 0, ...previous, ...advertised, address, peerId, lastSeen: this.now() }, WHITE_LIST_LIMIT);
  }

  /** A connection attempt to `address` failed: a white peer falls back to gray, a gray one is forgotten. */
  markFailed(address: PeerAddress): void {
    const key = this.key(address);
    const white = this.lists.white.get(key);
    this.lists.anchor.delete(key);
    if (white) {
      this.lists.white.delete(key);
      this.put('gray', key, white, GRAY_LIST_LIMIT);
    } else {
      this.lists.gray.delete(key);
    }
  }

  /** Adds configured peers (`--add-peer`) to the gray list so they survive restarts. */
  addKnown(address: PeerAddress): void {
    this.assertZone(address);
    const key = this.key(address);
    if (this.lists.white.has(key) || this.lists.gray.has(key)) return;
    this.put('gray', key, { address, peerId: 0n, lastSeen: this.now(), pruningSeed: 0, rpcPort: 0 }, GRAY_LIST_LIMIT);
  }

  /** Replaces the anchors with the given (outbound, handshaken) peers. */
  setAnchors(addresses: readonly PeerAddress[]): void {
    this.lists.anchor.clear();
    for (const address of addresses.slice(0, ANCHOR_LIST_LIMIT)) {
      this.assertZone(address);
      const key = this.key(address);
      const known = this.lists.white.get(key);
      this.lists.anchor.set(key, known ?? { address, peerId: 0n, lastSeen: this.now(), pruningSeed: 0, rpcPort: 0 });
    }
  }

  /** The peer-list form of one of this zone's addresses (the zone codec's toWire). */
  toWire(address: PeerAddress): WireAddress {
    this.assertZone(address);
    return this.codec.toWire(address);
  }

  /** Loads the persisted lists; a missing file is an empty store, a damaged entry is skipped. */
  async load(): Promise<void> {
    const file = this.options.file;
    if (!file) return;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new VeilnodeError('PEERSTORE_IO', `cannot read peer store ${file}`, { zone: this.zone, file }, { cause: err });
    }
    let parsed: Partial<StoreFile>;
    try {
      parsed = JSON.parse(text) as Partial<StoreFile>;
    } catch {
      this.logger.warn({ file }, 'peer store file is not valid JSON, starting empty');
      return;
    }
    if (parsed.zone !== this.zone) {
      this.logger.warn({ file, fileZone: String(parsed.zone) }, 'peer store file belongs to another zone, ignored');
      return;
    }
    let skipped = 0;
    let banned = 0;
    for (const name of ['white', 'gray', 'anchor'] as const) {
      const list = Array.isArray(parsed[name]) ? (parsed[name] as unknown[]) : [];
      for (const raw of list) {
        const entry = this.revive(raw);
        if (entry && this.options.isBanned?.(entry.address) === true) banned++;
        else if (entry) this.lists[name].set(this.key(entry.address), entry);
        else skipped++;
      }
    }
    this.logger.info({ ...this.sizes, skipped, banned }, 'peer store loaded');
  }

  /** Persists the lists atomically (temp file + fsync + rename). */
  async save(): Promise<void> {
    const file = this.options.file;
    if (!file) return;
    const dump = (name: ListName): StoredEntry[] =>
      [...this.lists[name].values()].map((e) => ({
        address: this.codec.format(e.address),
        peerId: e.peerId.toString(),
        lastSeen: e.lastSeen,
        ...(e.pruningSeed ? { pruningSeed: e.pruningSeed } : {}),
        ...(e.rpcPort ? { rpcPort: e.rpcPort } : {}),
      }));
    const content: StoreFile = { version: 1, zone: this.zone, white: dump('white'), gray: dump('gray'), anchor: dump('anchor') };
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFileAtomic(file, JSON.stringify(content, null, 1) + '\n');
    } catch (err) {
      throw new VeilnodeError('PEERSTORE_IO', `cannot write peer store ${file}`, { zone: this.zone, file }, { cause: err });
    }
  }

  private convert(entry: ReceivedPeerEntry, index: number, source: string): PeerAddress | undefined {
    const drop = (reason: string, err?: unknown): undefined => {
      const detail = err instanceof VeilnodeError ? err.code : undefined;
      // on anonymity zones the entry itself may be a clearnet IP: log only its type and why
      // (the codec's reason, with the entry's host cut out should a codec quote it)
      const wireType = entry?.adr instanceof Error ? undefined : entry?.adr?.type;
      const host = entry?.adr instanceof Error || entry?.adr === undefined || !('host' in entry.adr) ? undefined : entry.adr.host;
      const why = err instanceof VeilnodeError && typeof err.context.reason === 'string' ? err.context.reason : undefined;
      const what = this.options.anonymity
        ? { wireType, code: detail, detail: typeof host === 'string' && host.length > 0 ? why?.split(host).join('<host>') : why }
        : { wireType, error: err instanceof Error ? err.message : undefined };
      this.logger.warn({ source, index, reason, ...what }, 'peer list entry dropped');
      return undefined;
    };
    if (!entry || typeof entry !== 'object' || !entry.adr) return drop('no address');
    if (entry.adr instanceof Error) return drop('malformed address', entry.adr);
    if (!this.codec.wireTypes.includes(entry.adr.type)) return drop('address type of another zone');
    if (!this.options.allowLoopback && isLoopbackOrUnspecified(entry.adr)) return drop('loopback or unspecified address');
    let address: PeerAddress;
    try {
      address = this.codec.fromWire(entry.adr);
    } catch (err) {
      return drop('malformed address', err);
    }
    if (address.zone !== this.zone) return drop('address of another zone');
    return address;
  }

  private revive(raw: unknown): PeerEntry | undefined {
    if (!raw || typeof raw !== 'object') return undefined;
    const r = raw as Partial<StoredEntry>;
    if (typeof r.address !== 'string' || typeof r.lastSeen !== 'number') return undefined;
    try {
      const address = this.codec.parse(r.address);
      if (address.zone !== this.zone) return undefined;
      return {
        address,
        peerId: BigInt(typeof r.peerId === 'string' && /^\d{1,20}$/.test(r.peerId) ? r.peerId : 0),
        lastSeen: r.lastSeen,
        pruningSeed: typeof r.pruningSeed === 'number' ? r.pruningSeed : 0,
        rpcPort: advertisedRpcPort(r.rpcPort),
      };
    } catch {
      return undefined;
    }
  }

  /** Inserts into a bounded list, evicting its least recently seen entry when full. */
  private put(name: ListName, key: string, entry: PeerEntry, limit: number): void {
    const list = this.lists[name];
    list.delete(key);
    if (list.size >= limit) {
      let oldestKey: string | undefined;
      let oldest = Infinity;
      for (const [k, e] of list) {
        if (e.lastSeen < oldest) {
          oldest = e.lastSeen;
          oldestKey = k;
        }
      }
      if (oldestKey !== undefined) list.delete(oldestKey);
    }
    list.set(key, entry);
  }

  private assertZone(address: PeerAddress): void {
    if (address.zone !== this.zone) {
      throw new VeilnodeError('PEERSTORE_WRONG_ZONE', `address of zone ${address.zone} given to the ${this.zone} peer store`, {
        zone: this.zone,
        addressZone: address.zone,
      });
    }
  }

  private key(address: PeerAddress): string {
    return `${address.host}|${address.port}`;
  }
}
