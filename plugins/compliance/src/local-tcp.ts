import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import type { ListenBind } from '@veilnode/plugin-api';

/** A TCP port free on `host` right now (the OS picks it; another process may take it later). */
export function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A plain TCP connection to `bind`, or the reason it failed (`ECONNREFUSED`, `timeout`). */
export function tcpConnect(bind: ListenBind, timeoutMs: number): Promise<Socket | string> {
  return new Promise((resolve) => {
    const socket = connect(bind.port, bind.host);
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    function finish(outcome: Socket | string): void {
      clearTimeout(timer);
      socket.removeAllListeners('connect');
      if (typeof outcome === 'string') socket.destroy();
      resolve(outcome);
    }
    socket.once('connect', () => finish(socket));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
  });
}
