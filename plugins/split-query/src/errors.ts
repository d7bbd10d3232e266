import { VeilnodeError } from '@veilnode/plugin-api';

/** Codes of SplitQueryError: what went wrong with a sealed lookup, a directory or a key file. */
export const SplitQueryErrorCode = {
  /** A sealed message could not be opened: wrong key, tampered bytes, wrong size or version. */
  BadSeal: 'SPLIT_QUERY_BAD_SEAL',
  /** A padded plaintext is malformed (length prefix beyond the bucket). */
  BadPadding: 'SPLIT_QUERY_BAD_PADDING',
  /** A message is too large for the largest size bucket. */
  TooLarge: 'SPLIT_QUERY_TOO_LARGE',
  /** A request was seen before, or its time is outside the replay window. */
  Replay: 'SPLIT_QUERY_REPLAY',
  /** A relay sent more than its share of requests. */
  RateLimited: 'SPLIT_QUERY_RATE_LIMITED',
  /** A directory document, entry or signature is malformed. */
  DirectoryInvalid: 'SPLIT_QUERY_DIRECTORY_INVALID',
  /** A key file is missing, unreadable or malformed. */
  KeyFileInvalid: 'SPLIT_QUERY_KEY_FILE_INVALID',
  /** A lookup or request names a method or parameter this plugin never serves. */
  LookupInvalid: 'SPLIT_QUERY_LOOKUP_INVALID',
  /** The monerod backend did not answer properly. */
  BackendFailed: 'SPLIT_QUERY_BACKEND_FAILED',
  /** The relay could not be reached or answered garbage. */
  RelayFailed: 'SPLIT_QUERY_RELAY_FAILED',
  /** Not enough usable servers in the directory for the lookups. */
  NotEnoughServers: 'SPLIT_QUERY_NOT_ENOUGH_SERVERS',
} as const;

export type SplitQueryErrorCodeValue = (typeof SplitQueryErrorCode)[keyof typeof SplitQueryErrorCode];

export class SplitQueryError extends VeilnodeError {
  constructor(code: SplitQueryErrorCodeValue, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, context, options);
  }
}
