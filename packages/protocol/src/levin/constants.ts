import { Command } from '@veilnode/plugin-api';

/** Bucket header size in bytes (docs/levin.md). */
export const LEVIN_HEADER_SIZE = 33;

/** Signature 0x0101010101012101 as it appears on the wire (little-endian). */
export const LEVIN_SIGNATURE: Buffer = Buffer.from([0x01, 0x21, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01]);

export const LEVIN_PROTOCOL_VERSION = 1;

/** Header flag bits (docs/levin.md). */
export const LevinFlags = {
  Request: 0x01,
  Response: 0x02,
  Begin: 0x04,
  End: 0x08,
} as const;

/** Levin return codes (levin_base.h). monerod's handlers answer `Success` (1), never `Ok` (0). */
export const LevinReturnCode = {
  /** Handler result we put into every response we send: monerod treats ≤ 0 as failure. */
  Success: 1,
  Ok: 0,
  ErrorConnection: -1,
  ErrorConnectionNotFound: -2,
  ErrorConnectionDestroyed: -3,
  ErrorConnectionTimedOut: -4,
  ErrorConnectionNoDuplexProtocol: -5,
  ErrorConnectionHandlerNotDefined: -6,
  ErrorFormat: -7,
} as const;

/** Packet limit until the handshake completes. */
export const LEVIN_INITIAL_MAX_PACKET_SIZE = 256 * 1024;
/** Packet limit after the handshake. */
export const LEVIN_DEFAULT_MAX_PACKET_SIZE = 100_000_000;

/** monerod's white-noise slot size (CRYPTONOTE_NOISE_BYTES). */
export const NOISE_FRAME_SIZE = 3072;
/** Most slots one covert message may take (CRYPTONOTE_MAX_FRAGMENTS). */
export const MAX_NOISE_FRAGMENTS = 20;

const MiB = 1024 * 1024;

/** Per-command body caps (cryptonote_connection_context::get_max_bytes, docs/levin.md). */
const COMMAND_CAPS: ReadonlyMap<number, number> = new Map([
  [Command.Handshake, 65536],
  [Command.TimedSync, 65536],
  [Command.Ping, 4096],
  [Command.RequestSupportFlags, 4096],
  [Command.NewBlock, 128 * MiB],
  [Command.NewTransactions, 128 * MiB],
  [Command.RequestGetObjects, 2 * MiB],
  [Command.ResponseGetObjects, 128 * MiB],
  [Command.RequestChain, 512 * 1024],
  [Command.ResponseChainEntry, 4 * MiB],
  [Command.NewFluffyBlock, 4 * MiB],
  [Command.RequestFluffyMissingTx, MiB],
  [Command.GetTxpoolComplement, 4 * MiB],
]);

/** Largest body `command` may carry, before the packet limit is applied (Infinity = no cap). */
export function commandSizeCap(command: number): number {
  return COMMAND_CAPS.get(command) ?? Infinity;
}
