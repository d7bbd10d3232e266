import { MAX_NOISE_FRAGMENTS, NOISE_FRAME_SIZE, makeNoiseFrame, packForNoise, NewTransactions, encodeNotifyMessage } from '@veilnode/protocol';
import type { CovertSlotBuilder } from './covert-slot-builder';

/**
 * monerod-compatible covert frames: txs go in one NOTIFY_NEW_TRANSACTIONS with
 * `dandelionpp_fluff = false` and an empty `_` (no padding), packed into 3072-byte slots by the
 * Levin layer; idle ticks send monerod's dummy frame. Output depends on the txs only.
 */
export class LevinCovertSlotBuilder implements CovertSlotBuilder {
  readonly slotBytes: number;
  private readonly noise: Buffer;

  constructor(
    slotBytes = NOISE_FRAME_SIZE,
    private readonly maxFragments = MAX_NOISE_FRAGMENTS,
  ) {
    this.slotBytes = slotBytes;
    this.noise = makeNoiseFrame(slotBytes);
  }

  packTransactions(txs: readonly Uint8Array[]): Uint8Array[] {
    const inner = encodeNotifyMessage(NewTransactions, { txs: txs.map((t) => Buffer.from(t.buffer, t.byteOffset, t.byteLength)), _: Buffer.alloc(0), dandelionpp_fluff: false });
    return packForNoise(inner, this.slotBytes, this.maxFragments);
  }

  /** The same immutable frame every time, as monerod does; callers must not modify it. */
  dummy(): Uint8Array {
    return this.noise;
  }
}
