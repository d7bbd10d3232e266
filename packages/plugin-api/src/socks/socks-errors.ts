import { DialError } from '../errors';

/**
 * Why a dial through a SOCKS proxy failed. The names follow RFC 1928 reply codes, Tor's
 * extended onion-service codes (0xF0–0xF7, sent on a SocksPort with `ExtendedErrors`) and the
 * failures of the proxy itself. They are the `code` of a SocksError.
 */
export const SocksErrorCode = {
  /** The proxy could not be reached (TCP connect failed): not the target's fault. */
  ProxyUnreachable: 'PROXY_UNREACHABLE',
  /** The proxy refused our credentials, or wants auth we cannot offer. */
  ProxyAuthFailed: 'PROXY_AUTH_FAILED',
  /** The proxy closed the connection or answered something that is not SOCKS. */
  ProxyProtocolError: 'PROXY_PROTOCOL_ERROR',
  GeneralFailure: 'SOCKS_GENERAL_FAILURE',
  NotAllowed: 'SOCKS_NOT_ALLOWED',
  NetworkUnreachable: 'NETWORK_UNREACHABLE',
  HostUnreachable: 'HOST_UNREACHABLE',
  ConnectionRefused: 'CONNECTION_REFUSED',
  TtlExpired: 'TTL_EXPIRED',
  CommandNotSupported: 'SOCKS_COMMAND_NOT_SUPPORTED',
  AddressTypeNotSupported: 'SOCKS_ADDRESS_TYPE_NOT_SUPPORTED',
  /** Tor without ExtendedErrors answers 0x04 for any onion service it could not reach. */
  OnionServiceUnreachable: 'ONION_SERVICE_UNREACHABLE',
  OnionServiceNotFound: 'ONION_SERVICE_NOT_FOUND',
  OnionServiceDescriptorInvalid: 'ONION_SERVICE_DESCRIPTOR_INVALID',
  OnionServiceIntroFailed: 'ONION_SERVICE_INTRO_FAILED',
  OnionServiceRendezvousFailed: 'ONION_SERVICE_RENDEZVOUS_FAILED',
  OnionServiceMissingClientAuth: 'ONION_SERVICE_MISSING_CLIENT_AUTH',
  OnionServiceWrongClientAuth: 'ONION_SERVICE_WRONG_CLIENT_AUTH',
  OnionServiceInvalidAddress: 'ONION_SERVICE_INVALID_ADDRESS',
  OnionServiceIntroTimedOut: 'ONION_SERVICE_INTRO_TIMED_OUT',
  /** SOCKS4a reply 0x5B: the only failure SOCKS4a can express (no reason given). */
  Socks4Rejected: 'SOCKS4_REJECTED',
  /** SOCKS4a reply 0x5C/0x5D (identd): never sent by Tor. */
  Socks4IdentFailed: 'SOCKS4_IDENT_FAILED',
} as const;

export type SocksErrorCode = (typeof SocksErrorCode)[keyof typeof SocksErrorCode];

const SOCKS5_REPLIES: Readonly<Record<number, readonly [SocksErrorCode, string]>> = {
  0x01: [SocksErrorCode.GeneralFailure, 'general SOCKS server failure'],
  0x02: [SocksErrorCode.NotAllowed, 'connection not allowed by ruleset'],
  0x03: [SocksErrorCode.NetworkUnreachable, 'network unreachable'],
  0x04: [SocksErrorCode.HostUnreachable, 'host unreachable'],
  0x05: [SocksErrorCode.ConnectionRefused, 'connection refused'],
  0x06: [SocksErrorCode.TtlExpired, 'TTL expired'],
  0x07: [SocksErrorCode.CommandNotSupported, 'command not supported'],
  0x08: [SocksErrorCode.AddressTypeNotSupported, 'address type not supported'],
  0xf0: [SocksErrorCode.OnionServiceNotFound, 'onion service descriptor not found'],
  0xf1: [SocksErrorCode.OnionServiceDescriptorInvalid, 'onion service descriptor is invalid'],
  0xf2: [SocksErrorCode.OnionServiceIntroFailed, 'onion service introduction failed'],
  0xf3: [SocksErrorCode.OnionServiceRendezvousFailed, 'onion service rendezvous failed'],
  0xf4: [SocksErrorCode.OnionServiceMissingClientAuth, 'onion service needs client authorization'],
  0xf5: [SocksErrorCode.OnionServiceWrongClientAuth, 'onion service rejected our client authorization'],
  0xf6: [SocksErrorCode.OnionServiceInvalidAddress, 'invalid onion address'],
  0xf7: [SocksErrorCode.OnionServiceIntroTimedOut, 'onion service introduction timed out'],
};

/** Codes that say the proxy itself is gone or broken (as opposed to the target). */
export const PROXY_FAILURE_CODES: ReadonlySet<string> = new Set([
  SocksErrorCode.ProxyUnreachable,
  SocksErrorCode.ProxyAuthFailed,
  SocksErrorCode.ProxyProtocolError,
]);

/**
 * A dial through a SOCKS proxy failed. `code` is a SocksErrorCode. Context holds the redacted
 * proxy, the target and the raw reply code; never credentials, never a library error object.
 */
export class SocksError extends DialError {
  declare readonly code: SocksErrorCode;

  constructor(code: SocksErrorCode, message: string, context: { proxy: string; target: string; reply?: number; [k: string]: unknown }) {
    super(code, message, context);
  }

  /** True when the proxy (not the target) failed: the transport should report itself unhealthy. */
  get isProxyFailure(): boolean {
    return PROXY_FAILURE_CODES.has(this.code);
  }
}

/** Maps a SOCKS5 reply byte (≠ 0) to an error. `onion` says whether the target was a .onion. */
export function socks5ReplyError(reply: number, proxy: string, target: string, onion: boolean): SocksError {
  const hex = `0x${reply.toString(16).padStart(2, '0')}`;
  if (reply === 0x04 && onion) {
    return new SocksError(SocksErrorCode.OnionServiceUnreachable, `${target} is unreachable through ${proxy} (SOCKS5 reply ${hex})`, {
      proxy,
      target,
      reply,
    });
  }
  const known = SOCKS5_REPLIES[reply];
  const [code, text] = known ?? [SocksErrorCode.GeneralFailure, 'unknown SOCKS5 reply'];
  return new SocksError(code, `${proxy} could not connect to ${target}: ${text} (SOCKS5 reply ${hex})`, { proxy, target, reply });
}

/** Maps a SOCKS4a reply byte (≠ 0x5A) to an error. */
export function socks4ReplyError(reply: number, proxy: string, target: string): SocksError {
  const hex = `0x${reply.toString(16).padStart(2, '0')}`;
  const ident = reply === 0x5c || reply === 0x5d;
  return new SocksError(
    ident ? SocksErrorCode.Socks4IdentFailed : SocksErrorCode.Socks4Rejected,
    `${proxy} could not connect to ${target}: request ${ident ? 'failed identd check' : 'rejected or failed'} (SOCKS4a reply ${hex})`,
    { proxy, target, reply },
  );
}
