import { connect, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { DialError, DialErrorCode, type Dialer, type DialTarget } from '@veilnode/plugin-api';
import { joinHostPort } from './ip-literal';
import { dialErrorFromSocket } from './socket-errors';

/**
 * Opens a plain TCP connection to an IP literal. Host names are refused rather than resolved:
 * a DNS lookup would reveal to the resolver which peers the node talks to.
 */
export class DirectTcpDialer implements Dialer {
  connect(target: DialTarget, signal: AbortSignal): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const where = joinHostPort(target.host, target.port);
      if (isIP(target.host) === 0) {
        return reject(new DialError(DialErrorCode.AddressInvalid, `refusing to dial ${where}: not an IP address`, { address: where }));
      }
      // Half-open allowed: a peer that ends its side may still be read from and written to.
      const socket = connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
      const settle = (): void => {
        socket.off('connect', onConnect);
        socket.off('error', onError);
        signal.removeEventListener('abort', onAbort);
      };
      const onConnect = (): void => {
        settle();
        resolve(socket);
      };
      const onError = (err: NodeJS.ErrnoException): void => {
        settle();
        socket.destroy();
        reject(dialErrorFromSocket(err, target));
      };
      const onAbort = (): void => {
        settle();
        socket.destroy();
        reject(signal.reason);
      };
      socket.once('connect', onConnect);
      socket.once('error', onError);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
