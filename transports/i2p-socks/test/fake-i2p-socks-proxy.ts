import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * Stands in for an I2P router's SOCKS4a proxy in unit tests: a CONNECT to a `.b32.i2p` name in
 * `routes` is piped to that local port (as a client tunnel → server tunnel would), unknown names
 * are rejected (0x5B), names in `silent` never get an answer. Records every requested name.
 */
export class FakeI2pSocksProxy {
  readonly requests: Array<{ host: string; port: number }> = [];
  readonly routes = new Map<string, number>();
  readonly silent = new Set<string>();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.handle(socket));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(client: Socket): void {
    this.track(client);
    client.on('error', () => undefined);
    // a client that gives up before the reply must not leave our end half-open
    const dropEarly = () => client.destroy();
    client.once('end', dropEarly);
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      // 04 01 port(2) 0.0.0.x userid\0 host\0
      const userEnd = buffer.indexOf(0, 8);
      const hostEnd = userEnd < 0 ? -1 : buffer.indexOf(0, userEnd + 1);
      if (hostEnd < 0) return;
      client.off('data', onData);
      const rest = buffer.subarray(hostEnd + 1);
      const host = buffer.subarray(userEnd + 1, hostEnd).toString('latin1');
      const port = buffer.readUInt16BE(2);
      this.requests.push({ host, port });
      if (buffer[0] !== 4 || buffer[1] !== 1 || this.silent.has(host)) return;
      const target = this.routes.get(host);
      if (target === undefined) {
        client.end(Buffer.from([0, 0x5b, 0, 0, 0, 0, 0, 0]));
        return;
      }
      const upstream = connect({ host: '127.0.0.1', port: target, allowHalfOpen: true }, () => {
        client.off('end', dropEarly);
        client.write(Buffer.from([0, 0x5a, 0, 0, 0, 0, 0, 0]));
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      this.track(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    };
    client.on('data', onData);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
