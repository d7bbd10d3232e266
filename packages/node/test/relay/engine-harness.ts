import { createHash } from 'node:crypto';
import { RelayEngine, type RelayEngineDeps } from '../../src/relay/relay-engine';
import type { RelayEngineConfig } from '../../src/relay/relay-engine-config';
import type { CloseReason, RelayOutboundPort } from '../../src/relay/relay-outbound-port';
import type { ConnectionClose } from '../../src/relay/rejection-tracker';
import { MemoryTxStore, type LocalTxStore } from '../../src/relay/local-tx-store';
import type { CovertSlotBuilder } from '../../src/noise/covert-slot-builder';
import { SeededRng } from '../../src/time/rng';
import { VirtualClock } from '@veilnode/plugin-api/testing';

export const SLOT = 3072;

/** Recognisable fake frames: byte 0 = 0xAA for real slots (0 for dummies), then the blob chunk. */
export const fakeSlotBuilder: CovertSlotBuilder = {
  slotBytes: SLOT,
  packTransactions: (txs) => {
    const payload = Buffer.concat(txs.map((t) => Buffer.from(t)));
    const count = Math.max(1, Math.ceil(payload.length / (SLOT - 1)));
    if (count > 20) throw new Error('message exceeds 20 fragments');
    return Array.from({ length: count }, (_, i) => {
      const frame = new Uint8Array(SLOT);
      frame[0] = 0xaa;
      frame.set(payload.subarray(i * (SLOT - 1), (i + 1) * (SLOT - 1)), 1);
      return frame;
    });
  },
  dummy: () => new Uint8Array(SLOT),
};

export const txIdOf = (blob: Uint8Array) => createHash('sha256').update(blob).digest('hex');

export type Sent =
  | { kind: 'txs'; at: number; zone: string; conn: string; txs: string[]; fluff: boolean }
  | { kind: 'slot'; at: number; zone: string; conn: string; frame: Uint8Array }
  | { kind: 'dial'; at: number; zone: string }
  | { kind: 'close'; at: number; zone: string; conn: string; reason: CloseReason };

export const blob = (tag: string, size = 200) => new Uint8Array(Buffer.alloc(size, tag));

/** An engine on a virtual clock with a recording port; `live` connections accept sends. */
export function engineHarness(config: RelayEngineConfig, options: { seed?: number; startMs?: number; store?: LocalTxStore; deps?: Partial<RelayEngineDeps> } = {}) {
  const clock = new VirtualClock(options.startMs ?? 0);
  const sent: Sent[] = [];
  const live = new Set<string>();
  const port: RelayOutboundPort = {
    send: (zone, conn, txs, { fluff }) => {
      if (!live.has(`${zone}/${conn}`)) return false;
      sent.push({ kind: 'txs', at: clock.now(), zone, conn, txs: txs.map((t) => txIdOf(t)), fluff });
      return true;
    },
    sendNoiseSlot: (zone, conn, frame) => {
      if (!live.has(`${zone}/${conn}`)) return false;
      sent.push({ kind: 'slot', at: clock.now(), zone, conn, frame });
      return true;
    },
    dial: (zone) => void sent.push({ kind: 'dial', at: clock.now(), zone }),
    close: (zone, conn, reason) => void sent.push({ kind: 'close', at: clock.now(), zone, conn, reason }),
  };
  const store = options.store ?? new MemoryTxStore();
  const engine = new RelayEngine(config, {
    clock,
    rng: new SeededRng(options.seed ?? 1),
    port,
    store,
    txId: txIdOf,
    slotBuilder: fakeSlotBuilder,
    ...options.deps,
  });
  /** `height`: the chain height the peer reported (omitted: unknown). */
  const up = (zone: string, conn: string, direction: 'inbound' | 'outbound', height?: number) => {
    live.add(`${zone}/${conn}`);
    engine.onConnectionUp(zone, conn, direction, height);
  };
  const down = (zone: string, conn: string, close?: ConnectionClose) => {
    live.delete(`${zone}/${conn}`);
    engine.onConnectionDown(zone, conn, close);
  };
  /** Sends of real txs (not noise dummies) of one tx id. */
  const txSends = (id: string) => sent.filter((s): s is Extract<Sent, { kind: 'txs' }> => s.kind === 'txs' && s.txs.includes(id));
  return { clock, sent, live, engine, store, up, down, txSends };
}

export const TOR_CLEARNET: RelayEngineConfig = {
  zones: [
    { name: 'public', anonymity: false, noise: false, targetOutbound: 12 },
    { name: 'tor', anonymity: true, noise: false, targetOutbound: 4 },
  ],
  rotation: false,
};
