import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { VeilnodeError } from '@veilnode/plugin-api';
import { digestHa1, digestResponse, parseParams } from '../rpc/digest-auth';

/** Largest answer the commands read from the node (a full peer list is far below it). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const TIMEOUT_MS = 10_000;

interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * The JSON-RPC client of `veilnode status` and friends: POST /json_rpc to the running node,
 * answering a Digest challenge with --rpc-login as monerod's own commands do.
 */
export class NodeRpcClient {
  private nc = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly login: string | null,
  ) {}

  async call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 0, method, params });
    let answer = await this.post(body, undefined);
    if (answer.status === 401) {
      if (this.login === null) throw this.error('RPC_LOGIN_REQUIRED', `the node at ${this.where()} asks for a login: give --rpc-login USER:PASS`);
      answer = await this.post(body, this.authorization(String(answer.headers['www-authenticate'] ?? '')));
      if (answer.status === 401) throw this.error('RPC_LOGIN_REFUSED', `the node at ${this.where()} refused the --rpc-login given`);
    }
    if (answer.status !== 200) throw this.error('RPC_CALL_FAILED', `${method}: the node at ${this.where()} answered HTTP ${answer.status}`);
    let parsed: { result?: T; error?: { code: number; message: string } };
    try {
      parsed = JSON.parse(answer.body) as typeof parsed;
    } catch {
      throw this.error('RPC_CALL_FAILED', `${method}: the node at ${this.where()} answered something other than JSON`);
    }
    if (parsed.error !== undefined) throw this.error('RPC_CALL_FAILED', `${method}: ${parsed.error.message} (code ${parsed.error.code})`);
    return parsed.result as T;
  }

  private authorization(challenge: string): string {
    const p = parseParams(challenge.replace(/^Digest\s+/i, ''));
    const i = (this.login as string).indexOf(':');
    const user = (this.login as string).slice(0, i);
    const ha1 = digestHa1(user, p.realm ?? '', (this.login as string).slice(i + 1));
    const nc = (++this.nc).toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const uri = '/json_rpc';
    const response = digestResponse(ha1, { method: 'POST', uri, nonce: p.nonce ?? '', nc, cnonce, qop: 'auth' });
    return `Digest username="${user}", realm="${p.realm ?? ''}", nonce="${p.nonce ?? ''}", uri="${uri}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`;
  }

  private post(body: string, authorization: string | undefined): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.host, port: this.port, path: '/json_rpc', method: 'POST', timeout: TIMEOUT_MS, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) req.destroy(this.error('RPC_CALL_FAILED', `the node's answer is larger than ${MAX_ANSWER_BYTES} bytes`));
            else chunks.push(chunk);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(this.error('RPC_UNREACHABLE', `the node at ${this.where()} did not answer within ${TIMEOUT_MS / 1000} s`)));
      req.on('error', (error: NodeJS.ErrnoException) =>
        reject(error instanceof VeilnodeError ? error : this.error('RPC_UNREACHABLE', `cannot reach the node's RPC at ${this.where()} (${error.code ?? error.message}): is it running? (--rpc-bind-ip/--rpc-bind-port)`)),
      );
      req.end(body);
    });
  }

  private where(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  private error(code: string, message: string): VeilnodeError {
    return new VeilnodeError(code, message, { host: this.host, port: this.port });
  }
}
