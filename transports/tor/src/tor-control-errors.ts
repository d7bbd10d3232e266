import { TransportError } from '@veilnode/plugin-api';

export const TorControlErrorCode = {
  /** Could not open a TCP connection to the control port. */
  Unreachable: 'TOR_CONTROL_UNREACHABLE',
  /** No offered method worked (bad password, unreadable cookie, server hash mismatch...). */
  AuthFailed: 'TOR_CONTROL_AUTH_FAILED',
  /** Tor answered a command with an error status (reply code ≥ 400). */
  CommandFailed: 'TOR_CONTROL_COMMAND_FAILED',
  /** The control connection closed or sent something that is not the control protocol. */
  ConnectionLost: 'TOR_CONTROL_CONNECTION_LOST',
  Timeout: 'TOR_CONTROL_TIMEOUT',
} as const;

export type TorControlErrorCode = (typeof TorControlErrorCode)[keyof typeof TorControlErrorCode];

/**
 * A Tor control-port failure. Messages and context never contain the password, the cookie or an
 * onion private key: commands are named by their keyword only.
 */
export class TorControlError extends TransportError {
  declare readonly code: TorControlErrorCode;

  constructor(code: TorControlErrorCode, message: string, context: { control: string; [k: string]: unknown }) {
    super(code, message, context);
  }
}
