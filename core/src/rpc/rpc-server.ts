import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { RpcMethodError } from '../api/plugin';
import { VeilnodeError } from '../api/errors';
import type { Logger } from '../api/logger';
import { JsonRpcErrorCode, jsonRpcError, jsonRpcResult, parseJsonRpcCall, salvageId, type JsonRpcId } from './json-rpc';
import type { RpcMethodRegistry } from './rpc-method-registry';

export interface RpcServerOptions {
  readonly bindIp: string;
  readonly bindPort: number;
  readonly maxBodyBytes: number;
  readonly restricted: boolean;
  /** `USER:PASSWORD` for HTTP basic auth, or null. */
  readonly login: string | null;
  /** Zone the listener belongs to (handlers see it in RpcRequestInfo). */
  readonly zone: string;
}

/** What an endpoint answers: an HTTP status and a JSON body (undefined = no body). */
export interface EndpointReply {
  readonly status: number;
  readonly body?: unknown;
}

/** A POST endpoint: `/json_rpc` now; monerod's plain endpoints (`/get_info`, ...) later. */
export type Endpoint = (body: Buffer, request: IncomingMessage) => Promise<EndpointReply>;

/**
 * The node's HTTP RPC server (node:http). Every request gets a JSON answer: malformed JSON,
 * unknown methods, oversize bodies and throwing handlers become JSON-RPC errors, never a crash.
 */
export class RpcServer {
  private readonly endpoints = new Map<string, Endpoint>();
  private server: Server | undefined;

  constructor(
    private readonly options: RpcServerOptions,
    private readonly methods: RpcMethodRegistry,
    private readonly logger: Logger,
  ) {
    this.endpoints.set('/json_rpc', (body) => this.jsonRpc(body));
  }

  /** Add a plain endpoint (monerod's `/send_raw_transaction` style). */
  addEndpoint(path: string, endpoint: Endpoint): void {
    if (this.endpoints.has(path)) throw new VeilnodeError('RPC_ENDPOINT_DUPLICATE', `RPC endpoint ${path} already exists`, { path });
    this.endpoints.set(path, endpoint);
  }

  /** The bound address (`IP:PORT`), once started. */
  get address(): string | undefined {
    const info = this.server?.address() as AddressInfo | null | undefined;
    if (!info) return undefined;
    return info.family === 'IPv6' ? `[${info.address}]:${info.port}` : `${info.address}:${info.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      this.serve(request, response).catch((error: unknown) => {
        this.logger.error({ err: (error as Error).message }, 'RPC request failed');
        if (!response.headersSent) this.reply(response, { status: 500, body: jsonRpcError(null, JsonRpcErrorCode.InternalError, 'internal error') });
        else response.destroy();
      });
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new VeilnodeError('RPC_BIND_FAILED', `RPC server cannot listen on ${this.options.bindIp}:${this.options.bindPort}: ${error.code ?? error.message}`, {
            bindIp: this.options.bindIp,
            bindPort: this.options.bindPort,
          }),
        ),
      );
      server.listen(this.options.bindPort, this.options.bindIp, () => resolve());
    });
    server.on('error', (error) => this.logger.error({ err: error.message }, 'RPC server error'));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const endpoint = this.endpoints.get(path);
    if (endpoint === undefined) return this.reply(response, { status: 404, body: jsonRpcError(null, JsonRpcErrorCode.MethodNotFound, `no endpoint ${path}`) });
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      return this.reply(response, { status: 405, body: jsonRpcError(null, JsonRpcErrorCode.InvalidRequest, `${path} accepts POST only`) });
    }
    if (!this.authorized(request)) {
      response.setHeader('WWW-Authenticate', 'Basic realm="veilnode"');
      return this.reply(response, { status: 401, body: jsonRpcError(null, JsonRpcErrorCode.InvalidRequest, 'authentication required') });
    }
    const body = await this.readBody(request);
    if (body === undefined) {
      response.setHeader('Connection', 'close');
      return this.reply(response, {
        status: 413,
        body: jsonRpcError(null, JsonRpcErrorCode.InvalidRequest, `request body exceeds ${this.options.maxBodyBytes} bytes`),
      });
    }
    this.reply(response, await endpoint(body, request));
  }

  private authorized(request: IncomingMessage): boolean {
    if (this.options.login === null) return true;
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const given = Buffer.from(Buffer.from(header.slice(6), 'base64').toString('utf8'));
    const expected = Buffer.from(this.options.login);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The body, or undefined when it exceeds the limit (reading stops there). */
  private readBody(request: IncomingMessage): Promise<Buffer | undefined> {
    const limit = this.options.maxBodyBytes;
    if (Number(request.headers['content-length'] ?? 0) > limit) {
      request.resume();
      return Promise.resolve(undefined);
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > limit) {
          request.off('data', onData);
          request.resume();
          resolve(undefined);
          return;
        }
        chunks.push(chunk);
      };
      request.on('data', onData);
      request.once('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
      request.once('error', reject);
    });
  }

  private async jsonRpc(body: Buffer): Promise<EndpointReply> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 200, body: jsonRpcError(null, JsonRpcErrorCode.ParseError, 'parse error: the body is not valid JSON') };
    }
    const call = parseJsonRpcCall(parsed);
    if (typeof call === 'string') return { status: 200, body: jsonRpcError(salvageId(parsed), JsonRpcErrorCode.InvalidRequest, `invalid request: ${call}`) };
    const id: JsonRpcId = call.id ?? null;
    const method = this.methods.get(call.method);
    if (method === undefined) return { status: 200, body: jsonRpcError(id, JsonRpcErrorCode.MethodNotFound, `method not found: ${call.method}`) };
    if (this.options.restricted && !method.restricted) {
      return { status: 200, body: jsonRpcError(id, JsonRpcErrorCode.MethodNotFound, `method ${call.method} is not available on a restricted RPC server`) };
    }
    let result: unknown;
    try {
      result = await method.handler(call.params, { zone: this.options.zone });
    } catch (error) {
      if (error instanceof RpcMethodError) return { status: 200, body: jsonRpcError(id, error.rpcCode, error.message) };
      this.logger.error({ method: call.method, owner: method.owner, err: (error as Error).message }, 'RPC method threw');
      return { status: 200, body: jsonRpcError(id, JsonRpcErrorCode.InternalError, `internal error in ${call.method}`) };
    }
    // A notification (no id) gets no body, as JSON-RPC 2.0 requires.
    return call.id === undefined ? { status: 204 } : { status: 200, body: jsonRpcResult(id, result ?? null) };
  }

  private reply(response: ServerResponse, reply: EndpointReply): void {
    if (reply.body === undefined) {
      response.writeHead(reply.status).end();
      return;
    }
    const text = JSON.stringify(reply.body);
    response.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    response.end(text);
  }
}
