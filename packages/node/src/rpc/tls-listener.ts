import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { TLSSocket, createSecureContext } from 'node:tls';
import type { PemCertificate } from './self-signed-certificate';

/** monerod's --rpc-ssl: `enabled` serves TLS only; `autodetect` serves TLS and plain HTTP on one port. */
export type RpcTlsMode = 'enabled' | 'autodetect';

export interface RpcTlsOptions {
  readonly mode: RpcTlsMode;
  /** PEM certificate (chain) and private key; absent: a self-signed one is made at start, as monerod does. */
  readonly pem?: PemCertificate;
}

/** The first byte of a TLS handshake record. */
const TLS_HANDSHAKE = 0x16;

/** A connection must show its first byte within this time. */
const FIRST_BYTE_TIMEOUT_MS = 10_000;

/** The TCP listener and a way to close every connection it accepted (node stop). */
export interface TlsFront {
  readonly server: NetServer;
  destroyConnections(): void;
}

/**
 * A TCP listener in front of the RPC's HTTP server: each connection's first byte tells a TLS
 * ClientHello from plain HTTP (what monerod's autodetect does); TLS ones are wrapped, plain ones
 * are served as they are in `autodetect` and closed in `enabled`.
 */
export function tlsFrontListener(http: HttpServer, mode: RpcTlsMode, pem: PemCertificate): TlsFront {
  const context = createSecureContext({ cert: pem.certificate, key: pem.privateKey });
  const sockets = new Set<Socket>();
  const server = createNetServer((socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('error', () => socket.destroy());
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) {
        // TLSSocket reads what is buffered on the socket first.
        const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
        secure.once('error', () => secure.destroy());
        http.emit('connection', secure);
      } else if (mode === 'autodetect') {
        http.emit('connection', socket);
      } else {
        socket.destroy();
        return;
      }
      process.nextTick(() => socket.resume());
    });
  });
  return { server, destroyConnections: () => sockets.forEach((socket) => socket.destroy()) };
}
