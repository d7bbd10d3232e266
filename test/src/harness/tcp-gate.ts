import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP forwarder a test opens and closes to make a peer reachable or unreachable
 * (closing also cuts the connections through it). It forwards bytes unchanged: the peers on
 * both ends speak to each other, not to the gate. It keeps what each connection's dialling side
 * sent, so a test can check what an observer behind the gate received from that source.
 */
export class TcpGate {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly upstream: { at: number; bytes: Buffer }[][] = [];

  constructor(
    readonly port: number,
    private readonly target: { readonly host: string; readonly port: number },
    /** Loopback IP the gate dials the target from (default: the kernel's choice, 127.0.0.1): the target sees the peer at it. */
    private readonly from?: string,
  ) {}

  async open(): Promise<void> {
    if (this.server) return;
    const server = createServer((inbound) => {
      const outbound = connect({ port: this.target.port, host: this.target.host, localAddress: this.from });
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      inbound.once('close', () => outbound.destroy());
      outbound.once('close', () => inbound.destroy());
      const sent: { at: number; bytes: Buffer }[] = [];
      this.upstream.push(sent);
      inbound.on('data', (chunk: Buffer) => sent.push({ at: Date.now(), bytes: chunk }));
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Stops listening and cuts every connection through the gate. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Per connection ever made through the gate, the bytes its dialling side sent (in order). */
  sentUpstream(): Buffer[] {
    return this.upstream.map((chunks) => Buffer.concat(chunks.map((c) => c.bytes)));
  }

  /** The same as chunks with their arrival time (ms since the epoch), for timing checks. */
  sentUpstreamChunks(): { at: number; bytes: Buffer }[][] {
    return this.upstream.map((chunks) => [...chunks]);
  }

  /** Connections currently through the gate (both ends counted once). */
  get connections(): number {
    return this.sockets.size / 2;
  }
}
