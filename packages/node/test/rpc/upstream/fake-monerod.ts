import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DigestAuth } from '../../../src/rpc/digest-auth';

export type FakeHandler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void;

/**
 * A stand-in for an upstream monerod's RPC: answers by path (and JSON-RPC method), records what
 * it was asked, optionally demands a Digest login as monerod's --rpc-login does.
 */
export class FakeMonerod {
  /** `/path` or `json_rpc:method`, in order. */
  readonly calls: string[] = [];
  /** TCP connections accepted (a keep-alive client opens one for many calls). */
  connections = 0;
  private readonly handlers = new Map<string, FakeHandler>();
  private server: Server | undefined;
  private readonly auth: DigestAuth | undefined;

  constructor(login?: string) {
    this.auth = login === undefined ? undefined : new DigestAuth(login, { realm: 'monero-rpc' });
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  /** Answers `key` (`/path` or `json_rpc:method`) with `handler`. */
  on(key: string, handler: FakeHandler): this {
    this.handlers.set(key, handler);
    return this;
  }

  /** Answers `key` with a JSON body; JSON-RPC keys get the envelope with the request's id. */
  json(key: string, result: unknown): this {
    return this.on(key, (_, body, response) => {
      const payload = key.startsWith('json_rpc:') ? { jsonrpc: '2.0', id: (JSON.parse(body.toString()) as { id: unknown }).id, result } : result;
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(payload));
    });
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        if (this.auth !== undefined && this.auth.verify(request.method ?? '', request.url ?? '/', request.headers.authorization) !== 'pass') {
          response.writeHead(401, { 'WWW-Authenticate': this.auth.challenge() }).end();
          return;
        }
        const body = Buffer.concat(chunks);
        const path = (request.url ?? '/').split('?')[0];
        const key = path === '/json_rpc' ? `json_rpc:${(JSON.parse(body.toString()) as { method: string }).method}` : path;
        this.calls.push(key);
        const handler = this.handlers.get(key);
        if (handler === undefined) response.writeHead(404).end();
        else handler(request, body, response);
      });
    });
    server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
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
