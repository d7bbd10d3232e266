import type { Duplex } from 'node:stream';
import { ProtocolError, VeilnodeError, type Logger, type NetworkName, Command, policyAllows, type ZonePolicy } from '@veilnode/plugin-api';
import { BoundLogger } from '../logging/bound-logger';
import { encodeFrame, LEVIN_HEADER_SIZE, LevinFlags, LevinReturnCode, LevinStreamDecoder, type LevinMessage, type ReceiveBudget, encodeInvokeMessage, encodeNotifyMessage, encodeNotifyMessageParts, MAX_PEERLIST_ENTRIES, encodeResponseMessage, Handshake, isInvalidPeerlistEntry, networkId, NewTransactions, newTransactionsPadding, Ping, PING_OK, SupportFlags, TimedSync, type BasicNodeData, type CoreSyncData, type InvokeDefinition, type PeerlistEntry, type PeerlistItem, parseTransactionLayout } from '@veilnode/protocol';
import type { ZonePeerStore } from '../peerstore/zone-peer-store';
import type { ReceivedPeerEntry } from '../peerstore/peer-entry';
import type { ChainState } from './chain-state';
import { PeerError } from './peer-error';
import { PEER_RECEIVE_LIMITS } from './receive-limits';
import type { RelayTx } from '../routing/types';
import type { PeerRequestLimiter } from './peer-request-limits';
import { LazyReceivedTx, type TxSink } from './tx-sink';

/** monerod's timers (docs/commands.md). */
export interface PeerTimeouts {
  /** Handshake response (outbound) or first handshake request (inbound). */
  readonly handshakeMs: number;
  /** Any other invoke. */
  readonly invokeMs: number;
  /** Nothing received for this long closes the connection. */
  readonly idleMs: number;
  /** Our own TIMED_SYNC cadence. */
  readonly timedSyncIntervalMs: number;
}

/** Tx batches of at least this many blob bytes are sent gathered (blobs referenced, not copied). */
export const GATHER_MIN_TX_BYTES = 64 * 1024;

export const DEFAULT_PEER_TIMEOUTS: PeerTimeouts = Object.freeze({
  handshakeMs: 5_000,
  invokeMs: 120_000,
  idleMs: 300_000,
  timedSyncIntervalMs: 60_000,
});

export interface PeerConnectionOptions {
  /** Opaque id for logs and the relay engine; must not embed an address. */
  readonly id: string;
  readonly stream: Duplex;
  readonly direction: 'inbound' | 'outbound';
  readonly zone: string;
  readonly policy: ZonePolicy;
  readonly network: NetworkName;
  readonly chain: ChainState;
  /** Our peer_id on zones without a fixed one (random per run on clearnet). */
  readonly localPeerId: bigint;
  /** Our listening port, announced in node_data.my_port only where the policy allows. */
  readonly listenPort?: number;
  /** Receives the peer lists of this zone's handshakes and timed syncs; its white list is what we share. */
  readonly peerStore?: ZonePeerStore;
  readonly txSink?: TxSink;
  /** Every sync data the peer reports (handshake, timed syncs in either direction), after we learnt it. */
  readonly onSyncData?: (sync: CoreSyncData) => void;
  readonly logger: Logger;
  /** Zone-safe text of the remote for logs (never a clearnet IP on an anonymity zone). */
  readonly remote?: string;
  readonly timeouts?: Partial<PeerTimeouts>;
  /**
   * monerod's `--pad-transactions`: pad each NOTIFY_NEW_TRANSACTIONS this connection sends to a
   * multiple of 1024 bytes (noise frames, sent with sendFrame, have their own fixed size).
   */
  readonly padTransactions?: boolean;
  /** The node's receive budget, shared by all its connections (large bodies still arriving). */
  readonly receiveBudget?: ReceiveBudget;
  /** How often the peer may ask us for timed syncs, pings, support flags; over it closes with PEER_REQUEST_FLOOD. */
  readonly requestLimiter?: PeerRequestLimiter;
}

export interface PeerInfo {
  readonly peerId: bigint;
  readonly nodeData: BasicNodeData;
  readonly syncData: CoreSyncData;
}

export interface PeerCloseInfo {
  readonly reason: string;
  readonly error?: VeilnodeError;
}

export type PeerState = 'handshaking' | 'ready' | 'closed';

/** Counters for diagnostics (get_connections-style views, tests). */
export interface PeerStats {
  /** TIMED_SYNC invokes the peer sent us and we answered. */
  timedSyncsAnswered: number;
  /** Our own TIMED_SYNC invokes the peer answered. */
  timedSyncsCompleted: number;
  txsReceived: number;
  txsSent: number;
}

interface PendingInvoke {
  readonly command: number;
  resolve(message: LevinMessage): void;
  reject(error: VeilnodeError): void;
  timer: NodeJS.Timeout;
}

/**
 * One Monero p2p connection over a transport's byte stream: Levin framing, the handshake in
 * either direction, timed syncs, pings, tx notifications, and the zone's command filter, all as
 * monerod 0.18 does them. Everything a peer can do wrong ends in a typed PeerError/ProtocolError
 * and a closed connection, never an exception escaping to the caller's event loop.
 */
export class PeerConnection {
  readonly id: string;
  readonly zone: string;
  readonly direction: 'inbound' | 'outbound';
  /** Resolves once the handshake completed; rejects with a PeerError if it did not. */
  readonly ready: Promise<PeerInfo>;
  /** Resolves (never rejects) when the connection is closed, with why. */
  readonly closed: Promise<PeerCloseInfo>;
  /** When the connection was handed to us (ms since the epoch; local diagnostics only, never sent). */
  readonly openedAt = Date.now();

  private readonly options: PeerConnectionOptions;
  private readonly timeouts: PeerTimeouts;
  private readonly logger: Logger;
  private readonly decoder: LevinStreamDecoder;
  private readonly pending: PendingInvoke[] = [];
  private readonly sharedPeers = new Set<string>();
  private stateValue: PeerState = 'handshaking';
  private readonly counters: PeerStats = { timedSyncsAnswered: 0, timedSyncsCompleted: 0, txsReceived: 0, txsSent: 0 };
  private info?: PeerInfo;
  private lastSync?: CoreSyncData;
  private resolveReady!: (info: PeerInfo) => void;
  private rejectReady!: (error: PeerError) => void;
  private resolveClosed!: (info: PeerCloseInfo) => void;
  private handshakeTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private syncTimer?: NodeJS.Timeout;

  constructor(options: PeerConnectionOptions) {
    this.options = options;
    this.id = options.id;
    this.zone = options.zone;
    this.direction = options.direction;
    this.timeouts = { ...DEFAULT_PEER_TIMEOUTS, ...options.timeouts };
    this.decoder = new LevinStreamDecoder({ ...PEER_RECEIVE_LIMITS, budget: options.receiveBudget });
    this.logger = new BoundLogger(options.logger, {
      component: 'peer',
      zone: options.zone,
      conn: options.id,
      direction: options.direction,
      // an anonymity zone's peer addresses never reach the logs: the log could link our node to them
      ...(options.remote !== undefined && !options.policy.anonymity ? { remote: options.remote } : {}),
    });
    this.ready = new Promise<PeerInfo>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined); // observed through `closed` too; never an unhandled rejection
    this.closed = new Promise<PeerCloseInfo>((resolve) => (this.resolveClosed = resolve));

    const stream = options.stream;
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (err: NodeJS.ErrnoException) => {
      // a socket error message can name an IP (the proxy's, or worse): anonymity zones get the code only
      const detail = options.policy.anonymity ? (err.code ?? 'unknown') : err.message;
      this.close('stream error', new PeerError('PEER_CLOSED', `stream error: ${detail}`));
    });
    stream.on('close', () => this.close('remote closed'));
    stream.on('end', () => this.close('remote ended'));
    this.armIdleTimer();
    this.handshakeTimer = setTimeout(
      () => this.close('handshake timeout', new PeerError('PEER_HANDSHAKE_TIMEOUT', `no handshake within ${this.timeouts.handshakeMs} ms`)),
      this.timeouts.handshakeMs,
    );
    if (this.direction === 'outbound') this.sendHandshake();
  }

  get state(): PeerState {
    return this.stateValue;
  }

  /** The peer's identity and sync data from the handshake (undefined before it). */
  get peer(): PeerInfo | undefined {
    return this.info;
  }

  /** Zone-safe text of the remote (as the node handed it over), undefined when unknown. */
  get remote(): string | undefined {
    return this.options.remote;
  }

  /** The most recent sync data the peer reported. */
  get peerSyncData(): CoreSyncData | undefined {
    return this.lastSync;
  }

  /** Received bytes held for messages not complete yet (0 once closed). */
  get receiveBufferedBytes(): number {
    return this.decoder.bufferedBytes;
  }

  get stats(): Readonly<PeerStats> {
    return { ...this.counters };
  }

  /** Our peer_id on this connection's zone. */
  get localPeerId(): bigint {
    return this.options.policy.fixedPeerId ?? this.options.localPeerId;
  }

  /**
   * Sends one NOTIFY_NEW_TRANSACTIONS. `fluff: false` is a Dandelion++ stem (the flag is then
   * written explicitly). Returns false when the connection is not ready or already closed.
   */
  sendTransactions(blobs: readonly Uint8Array[], options: { readonly fluff: boolean }): boolean {
    if (this.stateValue !== 'ready') return false;
    this.assertOutbound(Command.NewTransactions);
    const txs = blobs.map((b) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
    let bytes = 0;
    for (const b of blobs) bytes += b.byteLength;
    // A usual batch (one or a few txs) is copied into one frame: one socket write instead of
    // two per tx. A large one is gathered: its blobs are written as they are, so a fan-out to
    // many peers whose sockets back up shares them instead of holding a copy per peer.
    const encode = (pad: number): Buffer[] => {
      const body = { txs, _: pad === 0 ? Buffer.alloc(0) : Buffer.alloc(pad, 0x20), dandelionpp_fluff: options.fluff };
      return bytes < GATHER_MIN_TX_BYTES ? [encodeNotifyMessage(NewTransactions, body)] : encodeNotifyMessageParts(NewTransactions, body);
    };
    let frame = encode(0);
    if (this.options.padTransactions) {
      const pad = newTransactionsPadding(totalLength(frame) - LEVIN_HEADER_SIZE);
      if (pad > 0) frame = encode(pad);
    }
    this.logger.debug({ txs: blobs.length, fluff: options.fluff }, 'sending transactions');
    if (!this.write(...frame)) return false;
    this.counters.txsSent += blobs.length;
    return true;
  }

  /** Writes a ready-made frame unchanged (noise slots, fragments); false when not ready. */
  sendFrame(frame: Uint8Array): boolean {
    if (this.stateValue !== 'ready') return false;
    return this.write(frame);
  }

  /** Sends a TIMED_SYNC now; resolves with the peer's sync data (also learnt by the chain state). */
  async timedSync(): Promise<CoreSyncData> {
    this.assertReady();
    const response = await this.invoke(TimedSync, { payload_data: this.options.chain.current() }, this.timeouts.invokeMs);
    this.learnSync(response.payload_data);
    this.ingestPeers(response.local_peerlist_new, 'timed_sync');
    this.counters.timedSyncsCompleted++;
    return response.payload_data;
  }

  /** PING (public zones only): resolves with the peer_id the peer answers. */
  async ping(): Promise<bigint> {
    this.assertOutbound(Command.Ping);
    if (!this.options.policy.allowPing) throw new PeerError('PEER_COMMAND_FILTERED', `pings are not allowed on zone ${this.zone}`, { command: Command.Ping });
    const response = await this.invoke(Ping, {}, this.timeouts.invokeMs);
    if (response.status !== PING_OK) throw new PeerError('PEER_INVOKE_FAILED', `ping answered ${JSON.stringify(response.status)}`);
    return response.peer_id;
  }

  /** Closes the connection (idempotent). */
  close(reason: string, error?: VeilnodeError): void {
    if (this.stateValue === 'closed') return;
    const wasReady = this.stateValue === 'ready';
    this.stateValue = 'closed';
    for (const timer of [this.handshakeTimer, this.idleTimer, this.syncTimer]) if (timer) clearTimeout(timer);
    // built only when an invoke waits for it: an Error captures a stack, and most closes have none pending
    if (this.pending.length > 0) {
      const closedError = new PeerError('PEER_CLOSED', `connection closed: ${reason}`, { reason });
      for (const p of this.pending.splice(0)) {
        clearTimeout(p.timer);
        p.reject(closedError);
      }
    }
    if (!wasReady) {
      this.rejectReady(
        error instanceof PeerError ? error : new PeerError('PEER_HANDSHAKE_FAILED', `handshake failed: ${reason}`, { reason }, { cause: error }),
      );
    }
    this.options.stream.destroy();
    // nothing received stays reachable from a closed connection (a half-received body can be megabytes)
    this.decoder.dispose();
    this.sharedPeers.clear();
    const log = error ? { reason, error: error.toJSON() } : { reason };
    // one that never got through its handshake costs whoever opened it nothing: debug here, and
    // the peer layer's per-minute summary counts it
    if (wasReady) this.logger.info(log, 'peer connection closed');
    else this.logger.debug(log, 'peer connection closed before the handshake');
    this.resolveClosed({ reason, error });
  }

  private onData(chunk: Buffer): void {
    if (this.stateValue === 'closed') return;
    this.armIdleTimer();
    let messages: LevinMessage[];
    try {
      messages = this.decoder.push(chunk);
    } catch (err) {
      this.close('bad levin stream', asVeilnodeError(err));
      return;
    }
    for (const message of messages) {
      if (this.state === 'closed') return;
      try {
        this.dispatch(message);
      } catch (err) {
        this.close(`bad ${message.command} message`, asVeilnodeError(err));
      }
    }
  }

  private dispatch(message: LevinMessage): void {
    if (message.isResponse) {
      const waiting = this.pending.shift();
      if (!waiting) throw new PeerError('PEER_PROTOCOL_VIOLATION', `response ${message.command} without an outstanding invoke`);
      clearTimeout(waiting.timer);
      waiting.resolve(message);
      return;
    }
    const command = message.command;
    if (!policyAllows(this.options.policy, 'inbound', command)) {
      this.logger.info({ command, invoke: message.expectsResponse }, 'filtered command');
      // as monerod 0.18.0.0 does (checked against it in the integration suite): a filtered
      // invoke is answered with -6, a filtered notification is dropped; the connection stays
      if (message.expectsResponse) this.respondError(command, LevinReturnCode.ErrorConnectionHandlerNotDefined);
      return;
    }
    if (message.expectsResponse) this.onInvoke(message);
    else this.onNotify(message);
  }

  private onInvoke(message: LevinMessage): void {
    if (this.options.requestLimiter?.allow(message.command) === false) {
      throw new PeerError('PEER_REQUEST_FLOOD', `peer sent command ${message.command} more often than allowed`, { command: message.command });
    }
    switch (message.command) {
      case Command.Handshake:
        return this.onHandshakeRequest(message);
      case Command.TimedSync: {
        this.assertReadyFor('TIMED_SYNC');
        const request = this.decodeRequest(TimedSync, message);
        if (!request) return;
        this.learnSync(request.payload_data);
        this.respond(TimedSync, { payload_data: this.options.chain.current(), local_peerlist_new: this.peersToShare() });
        this.counters.timedSyncsAnswered++;
        return;
      }
      case Command.Ping:
      case Command.RequestSupportFlags:
        if (!this.options.policy.allowPing) {
          // the zone answers neither (monerod: public zone only), whatever its command filter says
          this.respondError(message.command, LevinReturnCode.ErrorConnectionHandlerNotDefined);
        } else if (message.command === Command.Ping) {
          // answered before a handshake too: monerod pings the my_port we announced on a fresh connection
          if (this.decodeRequest(Ping, message)) this.respond(Ping, { status: PING_OK, peer_id: this.localPeerId });
        } else if (this.decodeRequest(SupportFlags, message)) {
          this.respond(SupportFlags, { support_flags: this.options.policy.supportFlags });
        }
        return;
      default:
        this.logger.debug({ command: message.command }, 'invoke without a handler');
        this.respondError(message.command, LevinReturnCode.ErrorConnectionHandlerNotDefined);
    }
  }

  private onNotify(message: LevinMessage): void {
    switch (message.command) {
      case Command.NewTransactions:
        return this.onNewTransactions(message);
      case Command.NewBlock:
      case Command.NewFluffyBlock:
      case Command.RequestGetObjects:
      case Command.ResponseGetObjects:
      case Command.RequestChain:
      case Command.ResponseChainEntry:
      case Command.RequestFluffyMissingTx:
      case Command.GetTxpoolComplement:
        // chain sync traffic: we keep no chain and never claim more than a peer has, so ignore it
        this.logger.trace({ command: message.command }, 'chain notification ignored');
        return;
      default:
        // monerod 0.18.0.0 ignores a notification it has no handler for and keeps the connection
        this.logger.debug({ command: message.command }, 'unknown notification ignored');
        return;
    }
  }

  private onHandshakeRequest(message: LevinMessage): void {
    if (this.direction === 'outbound') throw new PeerError('PEER_PROTOCOL_VIOLATION', 'handshake request on a connection we opened');
    if (this.stateValue !== 'handshaking') throw new PeerError('PEER_PROTOCOL_VIOLATION', 'second handshake on one connection');
    const request = this.decodeRequest(Handshake, message);
    if (!request) {
      this.close('undecodable handshake', new PeerError('PEER_HANDSHAKE_FAILED', 'handshake request body does not decode'));
      return;
    }
    this.checkNodeData(request.node_data);
    this.learnSync(request.payload_data);
    this.respond(Handshake, {
      node_data: this.ourNodeData(),
      payload_data: this.options.chain.current(),
      local_peerlist_new: this.peersToShare(),
    });
    // the responder switches to the big packet limit once the handshake is processed
    this.decoder.useHandshakeCompleteLimit();
    this.completeHandshake({ peerId: request.node_data.peer_id, nodeData: request.node_data, syncData: request.payload_data });
  }

  private sendHandshake(): void {
    const fail = (err: unknown): void => {
      const error = asVeilnodeError(err);
      this.close('handshake failed', error instanceof PeerError && error.code !== 'PEER_CLOSED' ? error : new PeerError('PEER_HANDSHAKE_FAILED', `handshake failed: ${error.message}`, {}, { cause: error }));
    };
    // the response is handled synchronously, before any message that follows it in the same
    // chunk (monerod may send txs right after its answer; they must find us ready)
    this.request(Handshake, { node_data: this.ourNodeData(), payload_data: this.options.chain.current() }, this.timeouts.handshakeMs, (response) => {
      try {
        this.checkNodeData(response.node_data);
        this.ingestPeers(response.local_peerlist_new, 'handshake');
        this.learnSync(response.payload_data);
      } catch (err) {
        fail(err);
        return;
      }
      this.completeHandshake({ peerId: response.node_data.peer_id, nodeData: response.node_data, syncData: response.payload_data });
    }, fail);
    // the initiator switches to the big packet limit as soon as it sent the handshake
    this.decoder.useHandshakeCompleteLimit();
  }

  private completeHandshake(info: PeerInfo): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.info = info;
    this.stateValue = 'ready';
    this.logger.info(
      {
        peerId: this.options.policy.anonymity ? undefined : info.peerId.toString(16),
        height: info.syncData.current_height.toString(),
        myPort: this.options.policy.anonymity ? undefined : info.nodeData.my_port,
        supportFlags: info.nodeData.support_flags,
      },
      'handshake complete',
    );
    this.scheduleTimedSync();
    this.resolveReady(info);
  }

  private checkNodeData(node: BasicNodeData): void {
    if (!ourNetworkId(this.options.network).equals(node.network_id)) {
      throw new PeerError('PEER_NETWORK_MISMATCH', `peer is on network ${node.network_id.toString('hex')}, we are on ${this.options.network}`, {
        networkId: node.network_id.toString('hex'),
      });
    }
    if (this.options.policy.checkPeerId && node.peer_id === this.localPeerId) {
      throw new PeerError('PEER_SELF_CONNECTION', 'peer has our own peer_id: connected to ourselves');
    }
  }

  private ourNodeData(): BasicNodeData {
    const policy = this.options.policy;
    return {
      network_id: ourNetworkId(this.options.network),
      peer_id: this.localPeerId,
      my_port: policy.advertisePort ? (this.options.listenPort ?? 0) : 0,
      rpc_port: 0,
      rpc_credits_per_hash: 0,
      support_flags: policy.supportFlags,
    };
  }

  private learnSync(sync: CoreSyncData): void {
    this.lastSync = sync;
    if (this.options.chain.observe(sync)) {
      this.logger.debug({ height: sync.current_height.toString() }, 'learnt a better chain top');
    }
    this.options.onSyncData?.(sync);
  }

  private onNewTransactions(message: LevinMessage): void {
    if (this.stateValue !== 'ready') {
      // monerod ignores txs from a connection that is not in "normal" state
      this.logger.debug({}, 'transactions before handshake ignored');
      return;
    }
    // an undecodable body or a tx that does not parse throws: monerod drops such a connection.
    // Tx ids (hashing, the costly part) are computed by the relay engine as it takes each tx,
    // within the sender's quota.
    const body = NewTransactions.body.decode(message.segments);
    const txs: RelayTx[] = [];
    const seen = new Set<string>();
    for (const blob of body.txs) {
      parseTransactionLayout(blob);
      const key = blob.toString('latin1');
      if (seen.has(key)) continue;
      seen.add(key);
      txs.push(new LazyReceivedTx(blob));
    }
    this.logger.debug({ txs: txs.length, duplicates: body.txs.length - txs.length, fluff: body.dandelionpp_fluff }, 'transactions received');
    this.counters.txsReceived += txs.length;
    if (txs.length > 0) this.options.txSink?.receive({ zone: this.zone, connectionId: this.id, txs, fluff: body.dandelionpp_fluff });
  }

  private ingestPeers(items: readonly PeerlistItem[], source: string): void {
    const store = this.options.peerStore;
    if (!store || items.length === 0) return;
    const entries: ReceivedPeerEntry[] = items.map((item) =>
      isInvalidPeerlistEntry(item)
        ? { adr: item.error, id: item.id }
        : { adr: item.adr, id: item.id, lastSeen: item.last_seen, pruningSeed: item.pruning_seed, rpcPort: item.rpc_port },
    );
    // a list over the limit throws PeerListRejectedError: monerod fails the handshake/sync for it
    store.ingest(entries, source);
  }

  /** White-list peers of this zone not yet sent on this connection (monerod's behaviour), last_seen zeroed. */
  private peersToShare(): PeerlistEntry[] {
    const store = this.options.peerStore;
    if (!store || !this.options.policy.sharePeerList) return [];
    const out: PeerlistEntry[] = [];
    for (const entry of store.white()) {
      if (out.length >= MAX_PEERLIST_ENTRIES) break;
      const key = `${entry.address.host}|${entry.address.port}`;
      if (this.sharedPeers.has(key)) continue;
      let adr;
      try {
        adr = store.toWire(entry.address);
      } catch {
        continue; // never send an entry the zone codec cannot write: one bad entry fails the peer's handshake
      }
      this.sharedPeers.add(key);
      out.push({ adr, id: entry.peerId, last_seen: 0n, pruning_seed: entry.pruningSeed, rpc_port: entry.rpcPort, rpc_credits_per_hash: 0 });
    }
    return out;
  }

  private scheduleTimedSync(): void {
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      if (this.stateValue !== 'ready') return;
      this.timedSync().then(
        () => this.scheduleTimedSync(),
        (err: unknown) => this.close('timed sync failed', asVeilnodeError(err)),
      );
    }, this.timeouts.timedSyncIntervalMs);
    this.syncTimer.unref();
  }

  private invoke<Req extends object, Res extends object>(def: InvokeDefinition<Req, Res>, request: Req, timeoutMs: number): Promise<Res> {
    return new Promise<Res>((resolve, reject) => this.request(def, request, timeoutMs, resolve, reject));
  }

  /**
   * Sends an invoke; `onResponse` runs synchronously when its (FIFO-matched) response arrives
   * with a positive return code and a decodable body, `onError` on anything else.
   */
  private request<Req extends object, Res extends object>(
    def: InvokeDefinition<Req, Res>,
    request: Req,
    timeoutMs: number,
    onResponse: (response: Res) => void,
    onError: (error: VeilnodeError) => void,
  ): void {
    if (this.stateValue === 'closed') return onError(new PeerError('PEER_CLOSED', 'connection is closed'));
    try {
      this.assertOutbound(def.command);
    } catch (err) {
      return onError(asVeilnodeError(err));
    }
    const timer = setTimeout(() => {
      const error = new PeerError(
        def.command === Command.Handshake ? 'PEER_HANDSHAKE_TIMEOUT' : 'PEER_INVOKE_TIMEOUT',
        `${def.name} got no response within ${timeoutMs} ms`,
        { command: def.command },
      );
      onError(error);
      this.close(`${def.name} timeout`, error);
    }, timeoutMs);
    const resolve = (message: LevinMessage): void => {
      let response: Res;
      try {
        if (message.command !== def.command) {
          throw new PeerError('PEER_PROTOCOL_VIOLATION', `response to ${def.name} carries command ${message.command}`, { command: message.command });
        }
        if (message.returnCode <= 0) {
          throw new PeerError('PEER_INVOKE_FAILED', `${def.name} answered with return code ${message.returnCode}`, { returnCode: message.returnCode });
        }
        response = def.response.decode(message.segments);
      } catch (err) {
        return onError(asVeilnodeError(err));
      }
      onResponse(response);
    };
    this.pending.push({ command: def.command, resolve, reject: onError, timer });
    this.write(encodeInvokeMessage(def, request));
  }

  /** Decodes an invoke's body; an undecodable one is answered with -1 as monerod does (and undefined returned). */
  private decodeRequest<Req extends object, Res extends object>(def: InvokeDefinition<Req, Res>, message: LevinMessage): Req | undefined {
    try {
      return def.request.decode(message.segments);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.logger.info({ command: def.command, error: err.toJSON() }, 'undecodable request');
      this.respondError(def.command, LevinReturnCode.ErrorConnection);
      return undefined;
    }
  }

  private respond<Req extends object, Res extends object>(def: InvokeDefinition<Req, Res>, response: Res): void {
    this.write(encodeResponseMessage(def, response));
  }

  private respondError(command: number, returnCode: number): void {
    this.write(encodeFrame({ command, body: new Uint8Array(0), returnCode, flags: LevinFlags.Response }));
  }

  private write(...chunks: Uint8Array[]): boolean {
    const stream = this.options.stream;
    if (this.stateValue === 'closed' || stream.destroyed) return false;
    if (chunks.length === 1) {
      stream.write(chunks[0]);
      return true;
    }
    stream.cork();
    for (const chunk of chunks) stream.write(chunk);
    process.nextTick(() => stream.uncork());
    return true;
  }

  private armIdleTimer(): void {
    // every received chunk re-arms it: refresh() reuses the timer instead of allocating a new one
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(
      () => this.close('idle timeout', new PeerError('PEER_IDLE_TIMEOUT', `nothing received for ${this.timeouts.idleMs} ms`)),
      this.timeouts.idleMs,
    );
    this.idleTimer.unref();
  }

  private assertReady(): void {
    if (this.stateValue !== 'ready') throw new PeerError('PEER_NOT_READY', `connection is ${this.stateValue}`);
  }

  private assertReadyFor(what: string): void {
    if (this.stateValue !== 'ready') throw new PeerError('PEER_PROTOCOL_VIOLATION', `${what} before the handshake`);
  }

  private assertOutbound(command: number): void {
    if (!policyAllows(this.options.policy, 'outbound', command)) {
      throw new PeerError('PEER_COMMAND_FILTERED', `command ${command} may not be sent on zone ${this.zone}`, { command });
    }
  }
}

const NETWORK_IDS = new Map<NetworkName, Buffer>();

/** Our network id, made once per network (it is compared and encoded on every handshake, never modified). */
function ourNetworkId(network: NetworkName): Buffer {
  let id = NETWORK_IDS.get(network);
  if (id === undefined) NETWORK_IDS.set(network, (id = networkId(network)));
  return id;
}

function asVeilnodeError(err: unknown): VeilnodeError {
  if (err instanceof VeilnodeError) return err;
  return new PeerError('PEER_PROTOCOL_VIOLATION', err instanceof Error ? err.message : String(err), {}, { cause: err });
}

function totalLength(parts: readonly Buffer[]): number {
  let length = 0;
  for (const part of parts) length += part.length;
  return length;
}
