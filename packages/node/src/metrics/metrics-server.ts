import { createServer, type Server } from 'node:http';
import { closeHttpServer } from '../net/close-http-server';
import { serverAddress } from '../net/server-address';
import { VeilnodeError, type Logger } from '@veilnode/plugin-api';
import type { NodeMetrics } from './node-metrics';

/** `--metrics-bind IP:PORT`: GET /metrics in Prometheus' text format; nothing else is served. */
export class MetricsServer {
  private server: Server | undefined;

  constructor(
    private readonly bind: { readonly host: string; readonly port: number },
    private readonly metrics: NodeMetrics,
    private readonly logger: Logger,
  ) {}

  get address(): string | undefined {
    return serverAddress(this.server);
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      this.metrics.text().then(
        (text) => response.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(text),
        (error: Error) => {
          this.logger.error({ err: error.message }, 'metrics could not be collected');
          response.writeHead(500).end();
        },
      );
    });
    // scrapers are few: a small cap keeps a flood of idle sockets from piling up
    server.maxConnections = 16;
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new VeilnodeError('METRICS_BIND_FAILED', `metrics server cannot listen on ${this.bind.host}:${this.bind.port}: ${error.code ?? error.message}`, { ...this.bind })),
      );
      server.listen(this.bind.port, this.bind.host, () => resolve());
    });
    this.server = server;
    this.logger.info({ address: this.address }, 'Prometheus metrics at /metrics');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await closeHttpServer(server);
  }
}
