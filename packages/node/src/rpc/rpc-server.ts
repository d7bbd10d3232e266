import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { serverAddress } from '../net/server-address';
import type { Server as NetServer } from 'node:net';
import type { Readable } from 'node:stream';
import { RpcMethodError, type RpcRequestInfo, VeilnodeError, type Logger } from '@veilnode/plugin-api';
import { BodyLimit } from './body-limit';
import { DigestAuth } from './digest-auth';
import type { RpcForwarder } from './rpc-forwarder';
import { tlsFrontListener, type RpcTlsOptions, type TlsFront } from './tls-listener';
import { JsonRpcErrorCode, jsonRpcError, jsonRpcResult, parseJsonRpcCall, salvageId, type JsonRpcId } from './json-rpc';
import { endWithJson } from './json-writer';
import { isLoopbackIp } from '../net/loopback';
import type { RpcMethodRegistry } from './rpc-method-registry';
import { writeStreamed } from './streamed-reply';
import { certificateFingerprint, makeSelfSignedCertificate, type PemCertificate } from './self-signed-certificate';

/**
 * Told of every answered request: `method` is a registered JSON-RPC method or endpoint path, or
 * `(unknown)` (never a caller's text, so metric labels stay bounded); `outcome` is `ok`, a
 * JSON-RPC error code, or the HTTP status of a plain endpoint.
 */
export type RpcRequestObserver = (method: string, outcome: string) => void;

export interface RpcServerOptions {
  readonly bindIp: string;
  readonly bindPort: number;
  readonly maxBodyBytes: number;
  readonly restricted: boolean;
  /** `USER:PASSWORD` required through HTTP Digest auth (as monerod's --rpc-login), or null. */
  readonly login: string | null;
  /** Zone the listener belongs to (handlers see it in RpcRequestInfo). */
  readonly zone: string;
  /** Serve TLS (--rpc-ssl); plain HTTP only when absent. */
  readonly tls?: RpcTlsOptions;
}

/**
 * What an endpoint answers: an HTTP status and a JSON body (undefined = no body); for an answer
 * that may be large, `chunks` of JSON text written with backpressure (writeStreamed); or a stream
 * it pipes itself.
 */
export interface EndpointReply {
  readonly status: number;
  readonly body?: unknown;
  readonly chunks?: Iterable<string>;
  /** Writes the whole answer (status, headers, body) itself: a forwarded upstream answer, never held whole. */
  readonly pipe?: (response: ServerResponse) => Promise<void>;
}

/** An HTTP endpoint: `/json_rpc`, or one of monerod's plain endpoints (`/send_raw_transaction`, ...). */
export type Endpoint = (body: Buffer, info: RpcRequestInfo, request: IncomingMessage) => Promise<EndpointReply>;

export interface EndpointOptions {
  /** HTTP methods accepted (default POST only; monerod also answers `GET /get_info`). */
  readonly methods?: readonly string[];
  /** Served on a restricted listener too (default false, as for JSON-RPC methods). */
  readonly restricted?: boolean;
}

interface EndpointEntry {
  readonly endpoint: Endpoint;
  readonly methods: readonly string[];
  readonly restricted: boolean;
}

const JSON_RPC_PATH = '/json_rpc';
/** One body for every 401, whatever the path: its shape must not tell which paths exist. */
const UNAUTHORIZED_BODY = Object.freeze({ status: 'Failed', reason: 'authentication required' });
/** How long an idle keep-alive connection stays open (monerod: 5 min for remote clients). */
export const KEEP_ALIVE_IDLE_MS = 5 * 60_000;
/** Open client connections per listener (monerod's --rpc-max-connections default). */
export const MAX_CONNECTIONS = 100;
/**
 * A forwarded request body up to this size (by its Content-Length) is read whole and sent on in
 * one write with its headers; a larger or unsized one is piped as it arrives. A wallet's calls are
 * nearly all small, and per call the extra writes and stream plumbing cost more than the bytes.
 */
export const WHOLE_BODY_BYTES = 64 * 1024;

/**
 * The node's HTTP RPC server (node:http). Every request gets a JSON answer: malformed JSON,
 * unknown methods, oversize bodies and throwing handlers become JSON-RPC errors, never a crash.
 */
export class RpcServer {
  private readonly endpoints = new Map<string, EndpointEntry>();
  private server: Server | undefined;
  private observer: RpcRequestObserver | undefined;
  /** What listens: the HTTP server itself, or the TLS front in front of it. */
  private listener: NetServer | undefined;
  private front: TlsFront | undefined;
  private readonly auth: DigestAuth | undefined;
  private forwarder: RpcForwarder | undefined;

  constructor(
    private readonly options: RpcServerOptions,
    private readonly methods: RpcMethodRegistry,
    private readonly logger: Logger,
  ) {
    this.endpoints.set(JSON_RPC_PATH, { endpoint: (body, info) => this.observedJsonRpc(body, info), methods: ['POST'], restricted: true });
    this.auth = options.login === null ? undefined : new DigestAuth(options.login);
  }

  /** Add a plain endpoint (monerod's `/send_raw_transaction` style). */
  addEndpoint(path: string, endpoint: Endpoint, options: EndpointOptions = {}): void {
    if (this.endpoints.has(path)) throw new VeilnodeError('RPC_ENDPOINT_DUPLICATE', `RPC endpoint ${path} already exists`, { path });
    this.endpoints.set(path, { endpoint, methods: options.methods ?? ['POST'], restricted: options.restricted ?? false });
  }

  /** Where requests go that no endpoint or method here serves (the upstream daemon). */
  setForwarder(forwarder: RpcForwarder): void {
    this.forwarder = forwarder;
  }

  /** The zone this listener serves and whether it is restricted (what handlers see). */
  get requestInfo(): RpcRequestInfo {
    return { zone: this.options.zone, restricted: this.options.restricted };
  }

  /** The bound address (`IP:PORT`), once started. */
  get address(): string | undefined {
    return serverAddress(this.listener);
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      // no Date header on any listener: a restricted or hidden-service client must not learn our clock
      response.sendDate = false;
      this.serve(request, response).catch((error: unknown) => {
        this.logger.error({ err: (error as Error).message }, 'RPC request failed');
        if (!response.headersSent) void this.reply(response, { status: 500, body: jsonRpcError(null, JsonRpcErrorCode.InternalError, 'internal error') });
        else response.destroy();
      });
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    // monerod keeps an idle client connection 5 minutes (epee's DEFAULT_TIMEOUT_MS_REMOTE) and
    // wallets reuse it without retrying; Node's default of 5 s made their next call fail.
    server.keepAliveTimeout = KEEP_ALIVE_IDLE_MS;
    const tls = this.options.tls;
    this.front = tls === undefined ? undefined : tlsFrontListener(server, tls.mode, tls.pem ?? (await this.selfSignedCertificate()));
    const listener = this.front?.server ?? server;
    listener.maxConnections = MAX_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      listener.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new VeilnodeError('RPC_BIND_FAILED', `RPC server cannot listen on ${this.options.bindIp}:${this.options.bindPort}: ${error.code ?? error.message}`, {
            bindIp: this.options.bindIp,
            bindPort: this.options.bindPort,
          }),
        ),
      );
      listener.listen(this.options.bindPort, this.options.bindIp, () => resolve());
    });
    listener.on('error', (error) => this.logger.error({ err: error.message }, 'RPC server error'));
    this.server = server;
    this.listener = listener;
    this.warnIfExposed();
  }

  /** monerod's answer to `--rpc-ssl` without a certificate: a fresh self-signed one; its fingerprint is logged for wallets to pin. */
  private async selfSignedCertificate(): Promise<PemCertificate> {
    const pem = await makeSelfSignedCertificate();
    this.logger.info({ zone: this.options.zone, fingerprint: certificateFingerprint(pem.certificate), event: 'rpc_tls_certificate_made' }, 'RPC TLS: made a self-signed certificate (no --rpc-ssl-certificate given), as monerod does');
    return pem;
  }

  /** Anyone who can reach a non-loopback bind can use an RPC without login: say so at start. */
  private warnIfExposed(): void {
    const { bindIp, bindPort, login, zone, restricted } = this.options;
    if (login !== null || isLoopbackIp(bindIp)) return;
    // A zone listener's log lines must not carry a clearnet address; the clearnet one names its bind.
    const where = zone === 'clearnet' ? { bindIp, bindPort } : {};
    this.logger.warn({ ...where, zone, restricted, event: 'rpc_unauthenticated_exposed' }, 'RPC server is bound to a non-loopback address without --rpc-login: anyone who can reach it may use it');
  }

  async stop(): Promise<void> {
    const server = this.server;
    const listener = this.listener;
    if (server === undefined || listener === undefined) return;
    this.server = undefined;
    this.listener = undefined;
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    if (listener !== server) server.close();
    server.closeAllConnections();
    this.front?.destroyConnections();
    await closed;
  }

  /** Metrics: see RpcRequestObserver. */
  observe(observer: RpcRequestObserver): void {
    this.observer = observer;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Nothing about a request is looked at before it authenticates: an unknown path, a wrong
    // method and a good request all get the same 401, so a stranger cannot probe what we serve.
    if (this.auth !== undefined) {
      const verdict = this.auth.verify(request.method ?? '', request.url ?? '/', request.headers.authorization);
      if (verdict !== 'pass') {
        response.setHeader('WWW-Authenticate', this.auth.challenge(verdict === 'stale'));
        return this.reply(response, { status: 401, body: UNAUTHORIZED_BODY });
      }
    }
    const path = (request.url ?? '/').split('?')[0];
    const entry = this.endpoints.get(path);
    // Errors before the endpoint runs keep its shape: JSON-RPC errors on /json_rpc, monerod's {status, reason} elsewhere.
    const forwarded = entry === undefined && this.forwarder !== undefined;
    const fail = (status: number, code: number, message: string): Promise<void> => {
      this.observer?.(entry === undefined ? '(unknown)' : path, String(status));
      return this.reply(response, { status, body: (entry === undefined && !forwarded) || path === JSON_RPC_PATH ? jsonRpcError(null, code, message) : { status: 'Failed', reason: message } });
    };
    if (entry === undefined && !forwarded) return fail(404, JsonRpcErrorCode.MethodNotFound, `no endpoint ${path}`);
    if (entry !== undefined && this.options.restricted && !entry.restricted) return fail(404, JsonRpcErrorCode.MethodNotFound, `${path} is not available on a restricted RPC server`);
    if (entry !== undefined && !entry.methods.includes(request.method ?? '')) {
      response.setHeader('Allow', entry.methods.join(', '));
      return fail(405, JsonRpcErrorCode.InvalidRequest, `${path} accepts ${entry.methods.join(' or ')} only`);
    }
    const forwarder = this.forwarder as RpcForwarder;
    const streamed = entry === undefined && !isSmallBody(request) && forwarder.streamsBody(path, this.requestInfo);
    const body = streamed ? this.boundedStream(request) : await this.readBody(request);
    if (body === undefined) {
      response.setHeader('Connection', 'close');
      return fail(413, JsonRpcErrorCode.InvalidRequest, `request body exceeds ${this.options.maxBodyBytes} bytes`);
    }
    const reply = entry !== undefined && Buffer.isBuffer(body) ? await entry.endpoint(body, this.requestInfo, request) : await forwarder.forwardPath(request, body, this.requestInfo);
    // a forwarded path is the client's string: never a metrics label
    if (path !== JSON_RPC_PATH) this.observer?.(entry === undefined ? '(forwarded)' : path, String(reply.status));
    if (reply.chunks === undefined) await this.reply(response, reply);
    else await writeStreamed(response, reply.status, reply.chunks);
  }

  private async observedJsonRpc(body: Buffer, info: RpcRequestInfo): Promise<EndpointReply> {
    const called = { method: '(unknown)' };
    const reply = await this.jsonRpc(body, info, called);
    const error = (reply.body as { error?: { code: number } } | undefined)?.error;
    this.observer?.(called.method, error === undefined ? 'ok' : String(error.code));
    return reply;
  }

  /** The body as it arrives, failing past the limit; undefined when its Content-Length already exceeds it. */
  private boundedStream(request: IncomingMessage): Readable | undefined {
    const limit = this.options.maxBodyBytes;
    if (Number(request.headers['content-length'] ?? 0) > limit) {
      request.resume();
      return undefined;
    }
    const bounded = new BodyLimit(limit);
    request.once('error', (error) => bounded.destroy(error));
    return request.pipe(bounded);
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

  private async jsonRpc(body: Buffer, info: RpcRequestInfo, called: { method: string }): Promise<EndpointReply> {
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
    if (method === undefined && this.forwarder !== undefined) {
      called.method = '(forwarded)'; // the client's string: never a metrics label
      return this.forwarder.forwardJsonRpc(call.method, id, body, info);
    }
    if (method === undefined) return { status: 200, body: jsonRpcError(id, JsonRpcErrorCode.MethodNotFound, `method not found: ${call.method}`) };
    called.method = call.method;
    if (this.options.restricted && !method.restricted) {
      return { status: 200, body: jsonRpcError(id, JsonRpcErrorCode.MethodNotFound, `method ${call.method} is not available on a restricted RPC server`) };
    }
    let result: unknown;
    try {
      result = await method.handler(call.params, info);
    } catch (error) {
      if (error instanceof RpcMethodError) return { status: 200, body: jsonRpcError(id, error.rpcCode, error.message) };
      this.logger.error({ method: call.method, owner: method.owner, err: (error as Error).message }, 'RPC method threw');
      return { status: 200, body: jsonRpcError(id, JsonRpcErrorCode.InternalError, `internal error in ${call.method}`) };
    }
    // A notification (no id) gets no body, as JSON-RPC 2.0 requires.
    return call.id === undefined ? { status: 204 } : { status: 200, body: jsonRpcResult(id, result ?? null) };
  }

  private async reply(response: ServerResponse, reply: EndpointReply): Promise<void> {
    if (reply.pipe !== undefined) return reply.pipe(response);
    if (reply.body === undefined) {
      response.writeHead(reply.status).end();
      return;
    }
    endWithJson(response, reply.status, reply.body);
  }
}

/** A body whose Content-Length says it is at most WHOLE_BODY_BYTES. */
function isSmallBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return length !== undefined && Number(length) <= WHOLE_BODY_BYTES;
}
