import { Command } from '@veilnode/plugin-api';
import { commandSizeCap, MAX_NOISE_FRAGMENTS, NOISE_FRAME_SIZE, type LevinStreamDecoderOptions } from '@veilnode/protocol';

/**
 * Largest NOTIFY_NEW_TRANSACTIONS body a peer may send us: 8 MiB. monerod's own cap is 128 MiB
 * (the 100 MB packet limit, really), which would let every connection make us hold ~100 MB. The
 * largest tx monerod's pool takes is 149,400 bytes (get_transaction_weight_limit), so 8 MiB is 56
 * such txs or ~4,000 usual 2 KB ones in one message; monerod sends more only when it re-relays a
 * flooded pool in one go, and such a message closes the connection (LEVIN_TOO_BIG) as an
 * oversized one does in monerod.
 */
export const MAX_NEW_TRANSACTIONS_BYTES = 8 * 1024 * 1024;

/** The commands whose bodies veilnode reads; every other message's body is dropped unread. */
const READ_COMMANDS: ReadonlySet<number> = new Set([
  Command.Handshake,
  Command.TimedSync,
  Command.Ping,
  Command.RequestSupportFlags,
  Command.NewTransactions,
]);

/**
 * What one peer connection's Levin decoder keeps, sized to the largest message veilnode has a use
 * for: monerod's caps for the handshake, timed sync, ping and support flags (64 KiB, 64 KiB, 4 KiB,
 * 4 KiB), MAX_NEW_TRANSACTIONS_BYTES for txs, the largest covert message monerod sends
 * (MAX_NOISE_FRAGMENTS noise slots) for fragment reassembly. Chain traffic (blocks, chain
 * entries, pool complements: monerod sends us a NEW_FLUFFY_BLOCK per block) and unknown commands
 * are never kept, only counted as they stream past under monerod's caps, so honest peers stay
 * connected and none of it costs memory.
 */
export const PEER_RECEIVE_LIMITS: Required<Pick<LevinStreamDecoderOptions, 'maxBody' | 'discardBody' | 'maxReassembly'>> = Object.freeze({
  maxBody: (command: number) => (command === Command.NewTransactions ? MAX_NEW_TRANSACTIONS_BYTES : commandSizeCap(command)),
  discardBody: (command: number) => !READ_COMMANDS.has(command),
  maxReassembly: MAX_NOISE_FRAGMENTS * NOISE_FRAME_SIZE,
});

/**
 * What all peer connections of a node together may hold for large bodies still arriving (more
 * than 64 KiB each): 64 MiB, eight maximal tx messages at once. Peers with many addresses could
 * otherwise make the node hold 8 MiB per connection; past the budget a large message closes its
 * connection (LEVIN_RECEIVE_BUDGET) until the others complete.
 */
export const NODE_RECEIVE_BUDGET_BYTES = 64 * 1024 * 1024;
