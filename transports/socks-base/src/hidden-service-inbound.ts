import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TransportUnavailableError, type ListenBind, type Logger, type TransportConnection } from '@veilnode/plugin-api';

/** Where a hidden service's inbound streams arrive, from `--anonymous-inbound`. */
export interface HiddenServiceInboundSettings {
  /** The local end the hidden service forwards to (BIND-IP:PORT); port 0 picks a free one. */
  readonly bind: ListenBind;
  /** Most inbound streams open at once; the ones over it are closed on arrival. */
  readonly max: number;
}

/** The transport that owns the listener. */
export interface HiddenServiceInboundOwner {
  /** The transport's name, for its errors. */
  readonly transport: string;
  readonly logger: Logger;
  /** What the listener is in the log line when it fails later (`Tor inbound listener`). */
  readonly what: string;
  /** True once the transport has stopped: streams arriving after that are closed. */
  readonly stopped: () => boolean;
  /** Called with every accepted socket first, so the transport can end it on stop(). */
  readonly track: (socket: Socket) => void;
}

export interface HiddenServiceInbound {
  readonly server: Server;
  /** The port actually bound (differs from `bind.port` when that was 0). */
  readonly port: number;
}

/**
 * The local TCP listener a hidden service (a Tor onion service, an I2P server tunnel) forwards
 * inbound streams to. Every stream accepted there belongs to the anonymity zone and is handed on
 * with no remote address: its 127.0.0.1 peer is the daemon's end of the tunnel, never the peer.
 * Resolves once listening; a bind failure rejects with TransportUnavailableError.
 */
export async function listenHiddenServiceInbound(
  settings: HiddenServiceInboundSettings,
  owner: HiddenServiceInboundOwner,
  onConnection: (connection: TransportConnection) => void,
): Promise<HiddenServiceInbound> {
  const { host, port } = settings.bind;
  let open = 0;
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    if (owner.stopped() || open >= settings.max) {
      socket.destroy();
      return;
    }
    open++;
    socket.once('close', () => open--);
    owner.track(socket);
    onConnection({ stream: socket, direction: 'inbound', remote: undefined });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new TransportUnavailableError(owner.transport, `cannot listen on ${host}:${port} (${error.code})`)),
    );
    server.listen(port, host, () => resolve());
  });
  server.on('error', (error: NodeJS.ErrnoException) => owner.logger.error({ code: error.code }, `${owner.what} failed`));
  return { server, port: (server.address() as AddressInfo).port };
}
