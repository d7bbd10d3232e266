import { varintSize } from '../epee';

/** monerod's `--pad-transactions` block: a padded NOTIFY_NEW_TRANSACTIONS body is a multiple of it. */
export const TX_PADDING_BLOCK = 1024;

/**
 * How many `_` bytes make a NOTIFY_NEW_TRANSACTIONS body a multiple of 1024 bytes, given the size
 * of the same body with an empty `_` (whose length prefix is one byte). Exact, where monerod's
 * estimate may be a byte off: the length prefix grows with the padding, which is counted here.
 * Hides a tx's size from an observer of the (encrypted) link on non-noise sends. At most 2 KiB:
 * where the prefix growth at 64 skips the block boundary, the next boundary fits.
 */
export function newTransactionsPadding(bodySizeWithEmptyPad: number): number {
  const rest = bodySizeWithEmptyPad - 1; // the body without `_`'s length prefix
  for (let pad = 0; ; pad++) {
    if ((rest + varintSize(pad) + pad) % TX_PADDING_BLOCK === 0) return pad;
  }
}
