import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger, RpcRequestInfo } from '@veilnode/plugin-api';
import { BodyTooLargeError } from '../body-limit';
import { jsonRpcError, JsonRpcErrorCode, type JsonRpcId } from '../json-rpc';
import { endWithJson } from '../json-writer';
import { failed } from '../monerod/monerod-response';
import type { RpcForwarder } from '../rpc-forwarder';
import type { EndpointReply } from '../rpc-server';
import { NEVER_FORWARDED_METHODS, NEVER_FORWARDED_PATHS, needsUpstream, RESTRICTED_JSON_RPC_METHODS, RESTRICTED_PATHS } from './monerod-rpc-catalog';
import type { Upstream } from './upstream';
import { readWhole } from './upstream-daemon';
import { UpstreamError } from './upstream-error';

/** Tells whether a get_transactions request names a local tx the network has not shown yet. */
export interface HiddenTxFilter {
  namesHiddenTx(txids: readonly string[]): Promise<boolean>;
}

const GET_TRANSACTIONS_PATHS: ReadonlySet<string> = new Set(['/get_transactions', '/gettransactions']);
/** Answer headers handed on to the client; the rest (Date, Server, hop-by-hop) stay with the upstream. */
const PASSED_HEADERS = ['content-type', 'content-length'] as const;
/**
 * An answer whose Content-Length is at most this is read whole and written to the client in one
 * write with its headers (a wallet's get_outs.bin, fee and header calls); a larger or unsized one
 * (getblocks.bin, up to many MB) is piped as it arrives and never held whole.
 */
const WHOLE_ANSWER_BYTES = 256 * 1024;

/** The error text for chain methods asked of a node without an upstream. */
export const NO_UPSTREAM_MESSAGE = 'veilnode keeps no chain: start it with --bootstrap-daemon-address URL to answer this';

/**
 * Forwards what the node does not answer to the upstream daemon, streaming the answer. Never:
 * send_raw_transaction and relay_tx (veilnode's own private path), anything monerod's
 * restricted RPC does not serve on a restricted listener, and a get_transactions that names one
 * of our local txs before the upstream has seen it from the network (the question would tell
 * the upstream that the tx started here). A failed upstream is answered as monerod answers when
 * its bootstrap daemon fails: HTTP 500 on plain and binary paths, a JSON-RPC error (code 0,
 * epee's empty error) on /json_rpc, with a reason that never names the upstream.
 */
export class UpstreamForwarder implements RpcForwarder {
  private available = true;

  constructor(
    private readonly upstream: Upstream | undefined,
    private readonly hidden: HiddenTxFilter,
    private readonly logger: Logger,
  ) {}

  /**
   * A body is piped through unless it may have to be resent (an upstream login answers the first
   * try with 401), a get_transactions body is read for its txids, or the path is refused anyway.
   */
  streamsBody(path: string, info: RpcRequestInfo): boolean {
    return this.upstream !== undefined && !this.upstream.resendsBody && !GET_TRANSACTIONS_PATHS.has(path) && !this.refuses(path, info);
  }

  async forwardPath(request: IncomingMessage, body: Buffer | Readable, info: RpcRequestInfo): Promise<EndpointReply> {
    const url = request.url ?? '/';
    const path = url.split('?')[0];
    if (this.refuses(path, info)) {
      return { status: 404, body: failed(info.restricted ? `${path} is not available on a restricted RPC server` : `no endpoint ${path}`) };
    }
    if (this.upstream === undefined) {
      return needsUpstream(path) ? { status: 500, body: failed(`${path}: ${NO_UPSTREAM_MESSAGE}`) } : { status: 404, body: failed(`no endpoint ${path}`) };
    }
    if (GET_TRANSACTIONS_PATHS.has(path) && Buffer.isBuffer(body)) {
      const txids = requestedTxids(body);
      if (txids.length > 0 && (await this.hidden.namesHiddenTx(txids))) return { status: 200, body: allMissed(txids) };
    }
    try {
      const sent = Buffer.isBuffer(body) ? body : { stream: body, length: contentLength(request) };
      const answer = await this.upstream.request(request.method ?? 'POST', url, headerText(request.headers['content-type']), sent);
      this.markAvailable();
      return { status: answer.statusCode ?? 500, pipe: (response) => this.pipe(answer, response, path, (reason) => ({ status: 500, body: failed(reason) })) };
    } catch (error) {
      if (error instanceof BodyTooLargeError) return { status: 413, body: failed(error.message) };
      // only a streamed body fails with other than an UpstreamError: the client broke it off
      if (!(error instanceof UpstreamError)) return { status: 400, body: failed(`the request body broke off: ${(error as Error).message}`) };
      return { status: 500, body: failed(this.failure(error, path)) };
    }
  }

  private refuses(path: string, info: RpcRequestInfo): boolean {
    return NEVER_FORWARDED_PATHS.has(path) || (info.restricted && !RESTRICTED_PATHS.has(path));
  }

  async forwardJsonRpc(method: string, id: JsonRpcId, body: Buffer, info: RpcRequestInfo): Promise<EndpointReply> {
    if (NEVER_FORWARDED_METHODS.has(method) || (info.restricted && !RESTRICTED_JSON_RPC_METHODS.has(method))) {
      const reason = info.restricted ? `method ${method} is not available on a restricted RPC server` : `method not found: ${method}`;
      return { status: 200, body: jsonRpcError(id, JsonRpcErrorCode.MethodNotFound, reason) };
    }
    if (this.upstream === undefined) {
      return needsUpstream('/json_rpc', method)
        ? { status: 200, body: jsonRpcError(id, JsonRpcErrorCode.InternalError, `${method}: ${NO_UPSTREAM_MESSAGE}`) }
        : { status: 200, body: jsonRpcError(id, JsonRpcErrorCode.MethodNotFound, `method not found: ${method}`) };
    }
    try {
      const answer = await this.upstream.request('POST', '/json_rpc', 'application/json', body);
      this.markAvailable();
      return { status: answer.statusCode ?? 500, pipe: (response) => this.pipe(answer, response, method, (reason) => ({ status: 200, body: jsonRpcError(id, 0, reason) })) };
    } catch (error) {
      return { status: 200, body: jsonRpcError(id, 0, this.failure(error, method)) };
    }
  }

  /** The upstream's answer to the client: status, content type and length, body (small ones in one write). */
  private async pipe(answer: IncomingMessage, response: ServerResponse, what: string, failure: (reason: string) => EndpointReply): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = headerText(answer.headers[name]);
      if (value !== undefined) headers[name] = value;
    }
    const status = answer.statusCode ?? 500;
    const length = Number(headers['content-length']);
    if (headers['content-length'] !== undefined && length <= WHOLE_ANSWER_BYTES) {
      let whole: Buffer;
      try {
        whole = await readWhole(answer, WHOLE_ANSWER_BYTES);
      } catch (error) {
        // nothing is out yet: the client gets monerod's failure answer, not a cut body
        const reply = failure(this.failure(error, what));
        endWithJson(response, reply.status, reply.body);
        return;
      }
      response.writeHead(status, headers).end(whole);
      return;
    }
    response.writeHead(status, headers);
    try {
      await pipeline(answer, response);
    } catch (error) {
      // Headers are out: the client sees a cut answer (a short body), which every HTTP client reports.
      // debug only: a client that hangs up mid-answer causes this, and must not be able to flood the log
      this.logger.debug({ what, err: (error as Error).message, event: 'upstream_answer_cut' }, 'an upstream answer broke off while it was passed on');
    }
  }

  /** The reason told to the client; logged once when the upstream goes from answering to failing. */
  private failure(error: unknown, what: string): string {
    const reason = error instanceof UpstreamError ? error.message : `the upstream daemon failed: ${(error as Error).message}`;
    if (this.available) {
      this.available = false;
      this.logger.warn({ what, failure: error instanceof UpstreamError ? error.failure : 'unknown', err: reason, event: 'upstream_unavailable' }, 'the upstream daemon does not answer; chain requests fail until it does');
    }
    return reason;
  }

  private markAvailable(): void {
    if (this.available) return;
    this.available = true;
    this.logger.info({ event: 'upstream_available' }, 'the upstream daemon answers again');
  }
}

/** The txids a get_transactions body asks for (`txs_hashes`); none when it is not that shape. */
function requestedTxids(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { txs_hashes?: unknown };
    return Array.isArray(parsed.txs_hashes) ? parsed.txs_hashes.filter((id): id is string => typeof id === 'string').map((id) => id.toLowerCase()) : [];
  } catch {
    return [];
  }
}

/** monerod's get_transactions answer when it knows none of the txs. */
function allMissed(txids: readonly string[]): object {
  return { status: 'OK', untrusted: false, credits: 0, top_hash: '', missed_tx: txids, txs: [], txs_as_hex: [] };
}

/** The client's Content-Length, when it gave a valid one (else the body goes chunked). */
function contentLength(request: IncomingMessage): number | undefined {
  const value = Number(request.headers['content-length']);
  return request.headers['content-length'] !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
