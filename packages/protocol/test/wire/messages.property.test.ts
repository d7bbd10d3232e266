import { expect } from 'chai';
import fc from 'fast-check';
import { encodeInvokeMessage, encodeNotifyMessage, encodeResponseMessage } from '../../src/wire/frames';
import { Handshake, NewTransactions, Ping, SupportFlags, TimedSync, type InvokeDefinition } from '../../src/wire/messages';
import { LevinStreamDecoder } from '../../src/levin/stream-decoder';
import { packForNoise } from '../../src/levin/noise';
import type { BasicNodeData } from '../../src/wire/node-data';
import type { CoreSyncData } from '../../src/wire/sync-data';
import type { LevinMessage } from '../../src/levin/message';
import type { PeerlistEntry } from '../../src/wire/peerlist';
import type { WireAddress } from '@veilnode/plugin-api';

const u64 = fc.bigInt(0n, 2n ** 64n - 1n);
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const u16 = fc.integer({ min: 0, max: 65535 });
const u8 = fc.integer({ min: 0, max: 255 });
const blobOf = (n: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b));
const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 70 });

const nodeData: fc.Arbitrary<BasicNodeData> = fc.record({
  network_id: blobOf(16),
  peer_id: u64,
  my_port: u32,
  rpc_port: u16,
  rpc_credits_per_hash: u32,
  support_flags: u32,
});

const syncData: fc.Arbitrary<CoreSyncData> = fc.record({
  current_height: u64,
  cumulative_difficulty: u64,
  cumulative_difficulty_top64: u64,
  top_id: blobOf(32),
  top_version: u8,
  pruning_seed: u32,
});

const wireAddress: fc.Arbitrary<WireAddress> = fc.oneof(
  fc.record({ type: fc.constant(1 as const), ip: u32, port: u16 }),
  fc.record({ type: fc.constant(2 as const), addr: blobOf(16), port: u16 }),
  fc.record({ type: fc.constant(3 as const), host: latin1, port: u16 }),
  fc.record({ type: fc.constant(4 as const), host: latin1, port: u16 }),
);

const peer: fc.Arbitrary<PeerlistEntry> = fc.record({
  adr: wireAddress,
  id: u64,
  last_seen: fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
  pruning_seed: u32,
  rpc_port: u16,
  rpc_credits_per_hash: u32,
});
const peers = fc.array(peer, { maxLength: 6 });

function roundTrip<T extends object>(codec: { encode(v: T): Buffer; decode(b: Buffer): T }, arb: fc.Arbitrary<T>): void {
  fc.assert(
    fc.property(arb, (v) => {
      expect(codec.decode(codec.encode(v))).to.deep.equal(v);
    }),
    { numRuns: 200 },
  );
}

function viaDecoder(frames: Buffer[]): LevinMessage[] {
  const d = new LevinStreamDecoder({ maxPacketSize: 100_000_000 });
  return frames.flatMap((f) => d.push(f));
}

describe('message schema properties', () => {
  it('handshake request and response round-trip', () => {
    roundTrip(Handshake.request, fc.record({ node_data: nodeData, payload_data: syncData }));
    roundTrip(Handshake.response, fc.record({ node_data: nodeData, payload_data: syncData, local_peerlist_new: peers }));
  });

  it('timed sync request and response round-trip', () => {
    roundTrip(TimedSync.request, fc.record({ payload_data: syncData }));
    roundTrip(TimedSync.response, fc.record({ payload_data: syncData, local_peerlist_new: peers }));
  });

  it('ping and support flags round-trip', () => {
    roundTrip(Ping.request, fc.constant({}));
    roundTrip(Ping.response, fc.record({ status: latin1, peer_id: u64 }));
    roundTrip(SupportFlags.request, fc.constant({}));
    roundTrip(SupportFlags.response, fc.record({ support_flags: u32 }));
  });

  it('new transactions round-trip, stem and fluff', () => {
    // Tx blobs are never empty; monerod's reader would itself reject a trailing array of empty
    // strings (count > remaining bytes ÷ 2), and so do we.
    roundTrip(
      NewTransactions.body,
      fc.record({ txs: fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)), { maxLength: 8 }), _: fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)), dandelionpp_fluff: fc.boolean() }),
    );
  });

  it('full frames survive the stream decoder, directly or packed into noise slots', () => {
    const invokes = Handshake as unknown as InvokeDefinition<object, object>;
    fc.assert(
      fc.property(
        fc.record({ node_data: nodeData, payload_data: syncData, local_peerlist_new: peers }),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 9000 }).map((b) => Buffer.from(b)), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (hs, txs, stem) => {
          const note = { txs, _: Buffer.alloc(0), dandelionpp_fluff: !stem };
          const frames = [encodeInvokeMessage(invokes, hs), encodeResponseMessage(invokes, hs), ...packForNoise(encodeNotifyMessage(NewTransactions, note))];
          const out = viaDecoder(frames);
          expect(out.map((m) => [m.command, m.expectsResponse, m.isResponse, m.returnCode])).to.deep.equal([
            [1001, true, false, 0],
            [1001, false, true, 1],
            [2002, false, false, 0],
          ]);
          expect(Handshake.request.decode(out[0].body)).to.deep.equal({ node_data: hs.node_data, payload_data: hs.payload_data });
          expect(Handshake.response.decode(out[1].body)).to.deep.equal(hs);
          expect(NewTransactions.body.decode(out[2].body)).to.deep.equal(note);
        },
      ),
      { numRuns: 60 },
    );
  });
});
