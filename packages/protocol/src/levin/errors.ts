import { ProtocolError } from '@veilnode/plugin-api';

/** Machine-readable reasons a Levin stream or frame was rejected. */
export type LevinErrorCode =
  | 'LEVIN_BAD_SIGNATURE'
  | 'LEVIN_TOO_BIG'
  | 'LEVIN_BUFFER_LIMIT'
  | 'LEVIN_RECEIVE_BUDGET'
  | 'LEVIN_BAD_FRAGMENT'
  | 'LEVIN_TRUNCATED'
  | 'LEVIN_TOO_MANY_FRAGMENTS'
  | 'LEVIN_BAD_ARGUMENT'
  | 'LEVIN_DECODER_FAILED';

/** A Levin frame or stream broke the protocol or a size limit. The connection should be closed. */
export class LevinError extends ProtocolError {
  declare readonly code: LevinErrorCode;

  constructor(code: LevinErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, `levin: ${message}`, context, options);
  }
}
