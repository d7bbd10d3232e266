import { Socket } from 'node:net';
import { SocksError, SocksErrorCode } from './socks-errors';
import type { SocksProxy } from './socks-proxy';

/**
 * Checks that a SOCKS proxy is up without asking it to connect anywhere: TCP connect, and for
 * SOCKS5 a method negotiation that must get a `05 xx` answer. Resolves, or rejects with
 * SocksError ProxyUnreachable / ProxyProtocolError.
 */
export function probeSocksProxy(proxy: SocksProxy, timeoutMs = 5_000): Promise<void> {
  const proxyText = proxy.toString();
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let connected = false;
    const finish = (err?: SocksError): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const fail = (code: SocksErrorCode, reason: string): void =>
      finish(new SocksError(code, `SOCKS proxy ${proxyText} ${reason}`, { proxy: proxyText, target: '(probe)' }));
    const timer = setTimeout(() => fail(connected ? SocksErrorCode.ProxyProtocolError : SocksErrorCode.ProxyUnreachable, 'did not answer in time'), timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) =>
      fail(connected ? SocksErrorCode.ProxyProtocolError : SocksErrorCode.ProxyUnreachable, `is unreachable (${err.code ?? err.message})`),
    );
    socket.once('close', () => fail(SocksErrorCode.ProxyProtocolError, 'closed the connection during the probe'));
    socket.connect({ host: proxy.host, port: proxy.port }, () => {
      connected = true;
      if (proxy.version === 4) return finish();
      socket.write(Buffer.from(proxy.hasCredentials ? [5, 2, 0, 2] : [5, 1, 0]));
    });
    socket.once('data', (reply: Buffer) => {
      if (reply[0] === 5 && reply.length >= 2 && reply[1] !== 0xff) finish();
      else fail(SocksErrorCode.ProxyProtocolError, 'answered the SOCKS5 greeting with something else');
    });
  });
}
