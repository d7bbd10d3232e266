import { DialError, DialErrorCode, ListenError, type DialTarget } from '@veilnode/plugin-api';
import { joinHostPort } from './ip-literal';

/** OS errno of a failed connect → the DialErrorCode core reacts to. */
const DIAL_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: DialErrorCode.ConnectionRefused,
  ECONNRESET: DialErrorCode.ConnectionReset,
  EPIPE: DialErrorCode.ConnectionReset,
  ENETUNREACH: DialErrorCode.NetworkUnreachable,
  ENETDOWN: DialErrorCode.NetworkUnreachable,
  EHOSTUNREACH: DialErrorCode.HostUnreachable,
  EHOSTDOWN: DialErrorCode.HostUnreachable,
  ETIMEDOUT: DialErrorCode.ConnectTimedOut,
};

/** OS errno of a failed bind/listen → ListenError code. */
const LISTEN_CODES: Readonly<Record<string, string>> = {
  EADDRINUSE: 'ADDRESS_IN_USE',
  EADDRNOTAVAIL: 'ADDRESS_NOT_AVAILABLE',
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
};

export function dialErrorFromSocket(err: NodeJS.ErrnoException, target: DialTarget): DialError {
  const errno = err.code ?? 'UNKNOWN';
  const code = DIAL_CODES[errno] ?? DialErrorCode.DialFailed;
  const where = joinHostPort(target.host, target.port);
  return new DialError(code, `dial ${where} failed: ${errno}`, { address: where, errno }, { cause: err });
}

export function listenErrorFromSocket(err: NodeJS.ErrnoException, bind: DialTarget): ListenError {
  const errno = err.code ?? 'UNKNOWN';
  const where = joinHostPort(bind.host, bind.port);
  return new ListenError(LISTEN_CODES[errno] ?? 'LISTEN_FAILED', `listen on ${where} failed: ${errno}`, { bind: where, errno }, { cause: err });
}
