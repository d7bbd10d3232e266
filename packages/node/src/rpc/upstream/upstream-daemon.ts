import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { DigestClient } from './digest-client';
import { formatUpstreamAddress, type UpstreamAddress } from '../../config/upstream-address';
import type { Upstream } from './upstream';
import type { StreamDialer } from './upstream-dialers';
import { UpstreamError } from './upstream-error';

export interface UpstreamDaemonOptions {
  readonly address: UpstreamAddress;
  /** `USER:PASSWORD` for the upstream's --rpc-login (HTTP Digest), or null. */
  readonly login: string | null;
  readonly dialer: StreamDialer;
  /** Dial (and TLS handshake) deadline. */
  readonly connectTimeoutMs: number;
  /** A request fails when the upstream sends nothing for this long. */
  readonly idleTimeoutMs: number;
  /** PEM certificates an https upstream must chain to (a pinned self-signed one); system CAs when absent. */
  readonly tlsCa?: string;
  /** Connections kept to the upstream at most (idle ones are reused). */
  readonly maxConnections?: number;
}

/** A request body passed on as it arrives; `length` is the client's Content-Length, when it gave one. */
export interface StreamBody {
  readonly stream: Readable;
  readonly length: number | undefined;
}

/** The largest JSON answer veilnode reads whole for itself (get_info, pool hashes, a block). */
export const MAX_OWN_ANSWER_BYTES = 16 * 1024 * 1024;

const DEFAULT_MAX_CONNECTIONS = 16;

/**
 * An HTTP client for the upstream monerod: keep-alive connections over the configured dialer
 * (direct, SOCKS, or an anonymity zone's transport), TLS for https, Digest login, a connect and
 * an idle timeout. Answers are handed on as streams: nothing here holds a body whole except
 * veilnode's own small JSON calls (`json`, bounded by MAX_OWN_ANSWER_BYTES).
 */
export class UpstreamDaemon implements Upstream {
  private readonly agent: Agent;
  private readonly digest: DigestClient | undefined;
  readonly label: string;

  constructor(private readonly options: UpstreamDaemonOptions) {
    this.label = formatUpstreamAddress(options.address);
    const maxSockets = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: options.idleTimeoutMs });
    // The Agent pools what our dialer opens (it may go through SOCKS or a zone's transport).
    (this.agent as unknown as { createConnection: unknown }).createConnection = (_: unknown, done: (error: Error | null, socket?: Duplex) => void) => {
      this.open().then((socket) => done(null, socket), (error: Error) => done(error));
      return undefined;
    };
    if (options.login !== null) {
      const i = options.login.indexOf(':');
      this.digest = new DigestClient(options.login.slice(0, i), options.login.slice(i + 1));
    }
  }

  get address(): UpstreamAddress {
    return this.options.address;
  }

  /** Whether a request may be answered 401 and resent with the login, so its body must be kept. */
  get resendsBody(): boolean {
    return this.digest !== undefined;
  }

  /**
   * Sends one request and resolves with the upstream's answer, its body still to be read. A 401
   * is answered once with the login: the body is resent, so with a login it must be a Buffer; a
   * stream body (with its length when the client gave one) is piped as it arrives.
   */
  async request(method: string, path: string, contentType: string | undefined, body: Buffer | StreamBody): Promise<IncomingMessage> {
    let answer = await this.send(method, path, contentType, body);
    if (answer.statusCode === 401 && this.digest !== undefined && this.digest.accept(headerText(answer.headers['www-authenticate']))) {
      answer.resume();
      answer = await this.send(method, path, contentType, body);
    }
    if (answer.statusCode === 401) {
      answer.resume();
      throw new UpstreamError('login-refused', this.digest === undefined ? 'the upstream daemon wants a login (--bootstrap-daemon-login)' : 'the upstream daemon refused the login');
    }
    return answer;
  }

  /** A JSON request of veilnode's own; the answer parsed, at most MAX_OWN_ANSWER_BYTES. */
  async json(path: string, body: unknown): Promise<unknown> {
    const answer = await this.request('POST', path, 'application/json', Buffer.from(JSON.stringify(body)));
    const text = await readBounded(answer, MAX_OWN_ANSWER_BYTES);
    if (answer.statusCode !== 200) throw new UpstreamError('bad-answer', `the upstream daemon answered ${path} with HTTP ${answer.statusCode}`, { path, status: answer.statusCode });
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new UpstreamError('bad-answer', `the upstream daemon's answer to ${path} is not JSON`, { path });
    }
  }

  /** A JSON-RPC call of veilnode's own: its `result`, or an UpstreamError for an error answer. */
  async jsonRpc(method: string, params: unknown = {}): Promise<Record<string, unknown>> {
    const answer = (await this.json('/json_rpc', { jsonrpc: '2.0', id: '0', method, params })) as { result?: unknown; error?: { message?: unknown } };
    if (typeof answer !== 'object' || answer === null || typeof answer.result !== 'object' || answer.result === null) {
      const reason = typeof answer?.error?.message === 'string' ? answer.error.message : 'no result';
      throw new UpstreamError('bad-answer', `the upstream daemon failed ${method}: ${reason}`, { method });
    }
    return answer.result as Record<string, unknown>;
  }

  /** A fixed daemon runs nothing in the background. */
  start(): void {}

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, contentType: string | undefined, body: Buffer | StreamBody): Promise<IncomingMessage> {
    const { host, port } = this.options.address;
    const headers: Record<string, string | number> = { Host: hostHeader(host, port) };
    if (body.length !== undefined) headers['Content-Length'] = body.length;
    if (contentType !== undefined) headers['Content-Type'] = contentType;
    const authorization = this.digest?.authorization(method, path);
    if (authorization !== undefined) headers.Authorization = authorization;
    return new Promise((resolve, reject) => {
      const request: ClientRequest = httpRequest({ agent: this.agent, method, path, headers, host, port });
      request.setTimeout(this.options.idleTimeoutMs, () =>
        request.destroy(new UpstreamError('idle-timeout', `the upstream daemon sent nothing for ${this.options.idleTimeoutMs} ms`, { path })),
      );
      // A body that fails (the client hung up, or passed the size limit) is the client's fault, not the upstream's.
      let bodyError: Error | undefined;
      request.once('response', resolve);
      request.once('error', (error) =>
        reject(bodyError ?? (error instanceof UpstreamError ? error : new UpstreamError('connect', `the upstream daemon connection failed: ${error.message}`, { path }))),
      );
      if (Buffer.isBuffer(body)) request.end(body);
      else {
        body.stream.once('error', (error) => {
          bodyError = error;
          request.destroy(error);
        });
        body.stream.pipe(request);
      }
    });
  }

  /** A new connection: dialled, then TLS for https. */
  private async open(): Promise<Duplex> {
    const { address, connectTimeoutMs, dialer, tlsCa } = this.options;
    const signal = AbortSignal.timeout(connectTimeoutMs);
    const stream = await dialer(address.host, address.port, signal);
    if (!address.tls) return stream;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        secure.destroy();
        reject(new UpstreamError('connect-timeout', 'the upstream daemon did not finish the TLS handshake in time'));
      };
      const secure = tlsConnect({ socket: stream, servername: isNameHost(address.host) ? address.host : undefined, ca: tlsCa, rejectUnauthorized: true });
      signal.addEventListener('abort', onAbort, { once: true });
      secure.once('secureConnect', () => {
        signal.removeEventListener('abort', onAbort);
        resolve(secure);
      });
      secure.once('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        stream.destroy();
        reject(new UpstreamError('connect', `TLS with the upstream daemon failed: ${error.message}`));
      });
    });
  }
}

/** The body of an answer as text, or an UpstreamError once it passes `limit` bytes. */
export async function readBounded(stream: IncomingMessage, limit: number): Promise<string> {
  return (await readWhole(stream, limit)).toString('utf8');
}

/** The body of an answer, or an UpstreamError once it passes `limit` bytes or breaks off. */
export function readWhole(stream: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.destroy();
        reject(new UpstreamError('answer-too-large', `the upstream daemon's answer exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    stream.once('error', (error) => reject(error instanceof UpstreamError ? error : new UpstreamError('bad-answer', `the upstream daemon's answer broke off: ${error.message}`)));
  });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isNameHost(host: string): boolean {
  return !/^[\d.]+$/.test(host) && !host.includes(':');
}

function hostHeader(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
