import { createServer, type Server, type Socket } from 'node:net';
import { Command } from '@veilnode/plugin-api';
import { encodeResponseMessage, Handshake, LevinStreamDecoder, type CoreSyncData } from '@veilnode/protocol';

/**
 * A minimal Levin handshake responder inside the load generator, used only to warm the
 * generator's own code (socket set-up, Levin encode/decode) before anything is measured: without
 * it the first node measured would face a cold generator and the next one a warm one.
 */
export class WarmUpResponder {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly syncData: CoreSyncData) {
    this.server = createServer((socket) => this.serve(socket));
  }

  /** Listens on 127.0.0.1 (a free port); resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const decoder = new LevinStreamDecoder();
    socket.on('data', (chunk: Buffer) => {
      let messages;
      try {
        messages = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const m of messages) {
        if (m.command !== Command.Handshake || !m.expectsResponse) continue;
        const request = Handshake.request.decode(m.segments);
        socket.write(encodeResponseMessage(Handshake, { node_data: { ...request.node_data, peer_id: 1n }, payload_data: this.syncData, local_peerlist_new: [] }));
      }
    });
  }
}
