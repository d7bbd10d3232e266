import { Command } from '@veilnode/plugin-api';
import { LevinStreamDecoder, NewTransactions } from '@veilnode/protocol';

/** Tx ids in every NOTIFY_NEW_TRANSACTIONS (plain, or padded in a noise slot) of a recorded Levin byte stream. */
export function txsIn(stream: Buffer, txId: (blob: Buffer) => string): string[] {
  const decoder = new LevinStreamDecoder();
  decoder.useHandshakeCompleteLimit();
  return decoder
    .push(stream)
    .filter((m) => m.command === Command.NewTransactions)
    .flatMap((m) => NewTransactions.body.decode(m.body).txs.map((t) => txId(Buffer.from(t))));
}
