import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP forwarder in front of a daemon's RPC that records every path and JSON-RPC method it
 * passes on: the proof of what a client (veilnode's upstream forwarding) asked the daemon.
 */
export class CountingProxy {
  /** `/path` or `json_rpc:method`, in order. */
  readonly calls: string[] = [];
  private server: Server | undefined;

  constructor(
    private readonly targetPort: number,
    private readonly listenPort = 0,
  ) {}

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const path = (req.url ?? '/').split('?')[0];
        if (path === '/json_rpc') {
          try {
            this.calls.push(`json_rpc:${String((JSON.parse(body.toString('utf8')) as { method?: unknown }).method)}`);
          } catch {
            this.calls.push('json_rpc:?');
          }
        } else this.calls.push(path);
        const upstream = request({ host: '127.0.0.1', port: this.targetPort, path: req.url, method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(this.listenPort, '127.0.0.1', resolve));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
