import { REGTEST_TXS, type RegtestTx } from '@veilnode/protocol/testing';
import type { RelayStatus, SubmitResult } from '../../../src/relay/relay-engine';
import type { RejectedTx } from '../../../src/relay/local-tx-store';
import type { PoolEntry } from '../../../src/relay/relay-pool';
import type { PrivateBroadcastStatus } from '../../../src/relay/echo-tracker';
import type {
  ChainInfoSource,
  ChainTop,
  ConnectionInfo,
  ConnectionInfoSource,
  MonerodRpcSources,
  PeerListEntry,
  PeerListSource,
  TxSubmitter,
} from '../../../src/rpc/monerod/sources';

export const SPEND = REGTEST_TXS.find((t) => t.source.includes('sweep_single')) as RegtestTx;
export const TRANSFER = REGTEST_TXS.find((t) => t.source.includes('3 destinations')) as RegtestTx;
export const COINBASE = REGTEST_TXS.find((t) => t.source.includes('coinbase')) as RegtestTx;

/** A relay engine stand-in: records submissions; each resolves when the test says so (or at once). */
export class FakeTxSubmitter implements TxSubmitter {
  readonly submitted: Uint8Array[] = [];
  publicPool: PoolEntry[] = [];
  privatePool: PoolEntry[] = [];
  relayStatus: RelayStatus = { localWaiting: 0, waitReason: null, localInFlight: 0, pool: { local: 0, forward: 0, stem: 0, fluff: 0 } };
  /** What submitLocal does; default: durable at once, 'queued'. */
  onSubmit: (blob: Uint8Array) => Promise<SubmitResult> = async (blob) => ({ txId: idOf(blob), status: 'queued' });

  submitLocal(blob: Uint8Array): Promise<SubmitResult> {
    this.submitted.push(blob);
    return this.onSubmit(blob);
  }
  publicTransactions(): readonly PoolEntry[] {
    return this.publicPool;
  }
  transactions(): readonly PoolEntry[] {
    return [...this.privatePool, ...this.publicPool];
  }
  status(): RelayStatus {
    return this.relayStatus;
  }
  refused: RejectedTx[] = [];
  /** Ids a flush drops, in the order asked; the fake's queue is `queued`. */
  queued: string[] = [];
  rejected(): readonly RejectedTx[] {
    return this.refused;
  }
  async flush(ids?: readonly string[]): Promise<string[]> {
    const dropped = this.queued.filter((id) => ids === undefined || ids.includes(id));
    this.queued = this.queued.filter((id) => !dropped.includes(id));
    return dropped;
  }
  broadcast: PrivateBroadcastStatus[] = [];
  privateBroadcastStatus(): readonly PrivateBroadcastStatus[] {
    return this.broadcast;
  }
}

function idOf(blob: Uint8Array): string {
  const hex = Buffer.from(blob).toString('hex');
  return REGTEST_TXS.find((t) => t.hex === hex)?.id ?? 'unknown';
}

/** Chain tops per zone; undefined zone = the best of them. */
export class FakeChain implements ChainInfoSource {
  constructor(readonly tops: Record<string, ChainTop>) {}
  chainTop(zone?: string): ChainTop | undefined {
    if (zone !== undefined) return this.tops[zone];
    return Object.values(this.tops).sort((a, b) => b.height - a.height)[0];
  }
}

export const CLEARNET_IP = '198.51.100.23';
export const CLEARNET_TOP: ChainTop = { height: 1200, topBlockHash: 'c1'.repeat(32), targetHeight: 0 };
export const TOR_TOP: ChainTop = { height: 1199, topBlockHash: '70'.repeat(32), targetHeight: 0 };
export const ONION = 'vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd.onion';

export const CONNECTIONS: ConnectionInfo[] = [
  { zone: 'clearnet', id: 'clearnet-1', direction: 'outbound', address: `${CLEARNET_IP}:18080`, peerId: 0x0123456789abcdefn, ready: true, height: 1200, pruningSeed: 0, supportFlags: 1, rpcPort: 18081, openedAt: 1_000_000 },
  { zone: 'clearnet', id: 'clearnet-2', direction: 'inbound', address: '127.0.0.1:40000', peerId: 5n, ready: false, height: 0, pruningSeed: 0, supportFlags: 0, rpcPort: 0 },
  { zone: 'clearnet', id: 'clearnet-3', direction: 'outbound', address: '[2001:db8::1]:18080', peerId: 6n, ready: true, height: 1199, pruningSeed: 384, supportFlags: 1, rpcPort: 0 },
  { zone: 'tor', id: 'tor-1', direction: 'outbound', address: `${ONION}:18083`, peerId: 1n, ready: true, height: 1199, pruningSeed: 0, supportFlags: 0, rpcPort: 0, openedAt: 1_030_000 },
];

export const PEERS: PeerListEntry[] = [
  { zone: 'clearnet', list: 'white', address: `${CLEARNET_IP}:18080`, peerId: 77n, lastSeen: 1_700_000_000_000, pruningSeed: 0, rpcPort: 18089 },
  { zone: 'clearnet', list: 'gray', address: '203.0.113.9:18080', peerId: 14653991833724566699n, lastSeen: 0, pruningSeed: 385, rpcPort: 0 },
  { zone: 'clearnet', list: 'gray', address: '203.0.113.10:28080', peerId: 79n, lastSeen: 0, pruningSeed: 0, rpcPort: 0 },
  { zone: 'tor', list: 'white', address: `${ONION}:18083`, peerId: 1n, lastSeen: 0, pruningSeed: 0, rpcPort: 0 },
];

export class FakeConnections implements ConnectionInfoSource {
  constructor(readonly list: ConnectionInfo[] = CONNECTIONS) {}
  connections(): readonly ConnectionInfo[] {
    return this.list;
  }
}

export class FakePeers implements PeerListSource {
  constructor(readonly list: PeerListEntry[] = PEERS) {}
  peerList(): readonly PeerListEntry[] {
    return this.list;
  }
}

export function fakeSources(txs = new FakeTxSubmitter()): MonerodRpcSources & { txs: FakeTxSubmitter } {
  return {
    txs,
    chain: new FakeChain({ clearnet: CLEARNET_TOP, tor: TOR_TOP }),
    connections: new FakeConnections(),
    peers: new FakePeers(),
    network: 'regtest',
    publicZone: 'clearnet',
    version: '0.1.0',
    startTime: 1_000_000,
    now: () => 1_060_000,
  };
}
