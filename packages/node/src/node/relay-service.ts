import path from 'node:path';
import { type Logger, SystemClock, type Clock } from '@veilnode/plugin-api';
import { LevinCovertSlotBuilder } from '../noise/levin-covert-slot-builder';
import { DurableTxQueue, type JournalRecovery } from '../relay/durable-tx-queue';
import type { RejectedTx } from '../relay/local-tx-store';
import type { ConnectionObserver } from '../peer/peer-layer';
import type { TxSink } from '../peer/tx-sink';
import { RelayEngine, type IncomingTransactions, type RelayStatus, type SubmitResult } from '../relay/relay-engine';
import type { RelayEngineConfig, RelayZoneConfig } from '../relay/relay-engine-config';
import { RelayError } from '../relay/relay-errors';
import type { ConnectionClose } from '../relay/rejection-tracker';
import type { RelayOutboundPort } from '../relay/relay-outbound-port';
import type { PoolEntry } from '../relay/relay-pool';
import type { Direction } from '../routing/types';
import type { PrivateBroadcastStatus } from '../relay/echo-tracker';
import type { CarrierOpener } from '../relay/carrier-port';
import type { TxSubmitter } from '../rpc/monerod/sources';
import { CryptoRng, type Rng } from '../time/rng';
import { checkRelayable, transactionIdHex } from '@veilnode/protocol';
import type { RelayQueue } from './relay-queue';

/** The local-tx journal's directory inside the data dir. */
export const TX_QUEUE_DIR = 'txqueue';

export interface RelayServiceOptions {
  readonly dataDir: string;
  /** The enabled zones, in config order (anonymity zones first-listed are preferred for local txs). */
  readonly zones: readonly RelayZoneConfig[];
  /** The peer layer's side: where the engine sends. */
  readonly port: RelayOutboundPort;
  readonly logger: Logger;
  readonly engine?: Omit<RelayEngineConfig, 'zones'>;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** Private broadcast: the carrier opener of each zone that has carriers (none: local txs go as before). */
  readonly carriers?: ReadonlyMap<string, CarrierOpener>;
}

/**
 * The relay engine with its durable journal (`<dataDir>/txqueue`), as a node service: opened in
 * start() — after the node holds the data-dir lock, so two processes never share the journal —
 * and closed in stop(), after the RPC stopped taking txs. It is what the RPC submits to, what
 * get_zones asks how many txs wait, and the peer layer's TxSink and ConnectionObserver (zones
 * start after it and stop before it, so no connection of a running zone is missed).
 */
export class RelayService implements TxSubmitter, RelayQueue, TxSink, ConnectionObserver {
  private running: { engine: RelayEngine; store: DurableTxQueue } | undefined;
  private readonly zoneNames: ReadonlySet<string>;

  constructor(private readonly options: RelayServiceOptions) {
    this.zoneNames = new Set(options.zones.map((z) => z.name));
  }

  /** The engine, for the peer layer to report connections and received txs to. */
  get engine(): RelayEngine {
    if (this.running === undefined) throw new RelayError('RELAY_NOT_RUNNING', 'the relay engine is not running');
    return this.running.engine;
  }

  async start(): Promise<void> {
    if (this.running !== undefined) return;
    const { dataDir, zones, logger } = this.options;
    const log = logger.child({ component: 'relay' });
    const store = await DurableTxQueue.open({ dir: path.join(dataDir, TX_QUEUE_DIR), logger: log });
    const engine = new RelayEngine(
      { ...this.options.engine, zones },
      {
        clock: this.options.clock ?? new SystemClock(),
        rng: this.options.rng ?? new CryptoRng(),
        port: this.options.port,
        store,
        txId: transactionIdHex,
        checkTx: checkRelayable,
        slotBuilder: new LevinCovertSlotBuilder(),
        logger: log,
        carriers: this.options.carriers,
      },
    );
    engine.start();
    this.running = { engine, store };
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (running === undefined) return;
    running.engine.stop();
    await running.store.close();
  }

  async submitLocal(blob: Uint8Array): Promise<SubmitResult> {
    return this.engine.submitLocal(blob);
  }

  publicTransactions(): readonly PoolEntry[] {
    return this.running?.engine.publicTransactions() ?? [];
  }

  transactions(): readonly PoolEntry[] {
    return this.running?.engine.transactions() ?? [];
  }

  rejected(): readonly RejectedTx[] {
    return this.running?.engine.rejected() ?? [];
  }

  privateBroadcastStatus(): readonly PrivateBroadcastStatus[] {
    return this.running?.engine.privateBroadcastStatus() ?? [];
  }

  async flush(ids?: readonly string[]): Promise<string[]> {
    return this.engine.flush(ids);
  }

  status(): RelayStatus {
    return this.running?.engine.status() ?? { localWaiting: 0, waitReason: null, localInFlight: 0, pool: { local: 0, forward: 0, stem: 0, fluff: 0 } };
  }

  /** Ids of the local txs in the send journal (originated here, not yet delivered). */
  localTxIds(): string[] {
    return this.running?.store.pending().map((tx) => tx.id) ?? [];
  }

  /** The upstream daemon has a local tx in its pool: delivered (it leaves the journal). */
  seenByNetwork(txId: string): void {
    this.running?.engine.confirmDelivered(txId);
  }

  /** A tx is in a block (any tx, ours or not): nothing is left to relay, it leaves the journal and the pool. */
  mined(txId: string): void {
    this.running?.engine.mined(txId);
  }

  // The peer layer's events (it calls these as its TxSink and ConnectionObserver). Connections
  // can outlive the engine by a moment at shutdown (and an unknown zone is a bug upstream), so
  // they are ignored then rather than thrown.

  onConnectionUp(zone: string, connectionId: string, direction: Direction, height: number): void {
    if (this.running !== undefined && this.zoneNames.has(zone)) this.running.engine.onConnectionUp(zone, connectionId, direction, height);
  }

  onConnectionHeight(zone: string, connectionId: string, height: number): void {
    if (this.running !== undefined && this.zoneNames.has(zone)) this.running.engine.onConnectionHeight(zone, connectionId, height);
  }

  onConnectionDown(zone: string, connectionId: string, close?: ConnectionClose): void {
    if (this.running !== undefined && this.zoneNames.has(zone)) this.running.engine.onConnectionDown(zone, connectionId, close);
  }

  onCarrierDown(zone: string, connectionId: string): void {
    if (this.running !== undefined && this.zoneNames.has(zone)) this.running.engine.onCarrierDown(zone, connectionId);
  }

  /** NOTIFY_NEW_TRANSACTIONS from a peer. */
  receive(batch: IncomingTransactions): void {
    if (this.running !== undefined && this.zoneNames.has(batch.zone)) this.running.engine.receive(batch);
  }

  /** What opening the local-tx journal found damaged and kept aside, for the node's status. */
  journalRecovery(): JournalRecovery {
    return this.running?.store.recovery() ?? { damagedRecords: 0, unreadableBytes: 0, movedAsideTo: null };
  }

  /** get_zones asks about every registered zone; a disabled one carries nothing. */
  queued(zone: string): number {
    return this.running !== undefined && this.zoneNames.has(zone) ? this.running.engine.queued(zone) : 0;
  }
}
