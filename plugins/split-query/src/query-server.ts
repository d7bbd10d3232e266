import { RpcMethodError, type Logger } from '@veilnode/plugin-api';
import { utf8ToBytes } from '@noble/hashes/utils';
import { SplitQueryError, SplitQueryErrorCode } from './errors';
import { fromHex } from './hex';
import { LookupMethod, checkLookupCall, type LookupCall } from './lookup';
import type { QueryBackend } from './monerod-backend';
import type { RateLimiter } from './rate-limiter';
import { checkStamp } from './relay-auth';
import type { ReplayGuard } from './replay-guard';
import { SEALED_REQUEST_BYTES, openRequest, sealAnswer } from './sealing';
import type { ServerKeys } from './server-keys';

/** JSON-RPC errors a server answers with before it could open a request (the relay sees these). */
export const QueryServerRpcError = {
  InvalidParams: -32602,
  BadSeal: -32001,
  RateLimited: -32002,
  RelayUnauthenticated: -32003,
  Replay: -32004,
} as const;

const ALL_RELAYS = '*';

/** The sealed request's plaintext: a lookup call, a nonce and the client's clock. */
export interface RequestEnvelope {
  readonly v: 1;
  readonly nonce: string;
  readonly time: number;
  readonly call: LookupCall;
}

/** The sealed answer's plaintext: the request's nonce, and the backend's result or an error. */
export type AnswerEnvelope =
  | { readonly v: 1; readonly nonce: string; readonly result: Record<string, unknown> }
  | { readonly v: 1; readonly nonce: string; readonly error: { readonly code: string; readonly message: string } };

export interface QueryServerOptions {
  readonly keys: () => ServerKeys;
  readonly backend: QueryBackend;
  readonly replay: ReplayGuard;
  /** Per relay key. */
  readonly limiter: RateLimiter;
  /** All relays together: relay keys cost nothing to make, so per-key limits alone can be dodged. */
  readonly totalLimiter: RateLimiter;
  readonly windowMs: number;
  readonly queuedTransactions: () => readonly { readonly zone: string; readonly queued: number }[];
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * The server side (`split_query_answer`): opens one sealed lookup, answers it from the backend
 * monerod, and seals the answer to the client's one-time key. It never learns who asked: the
 * request comes from a relay, stamped with the relay's key (for rate limits only). Its logs
 * name the method, never the hash looked up.
 */
export class QueryServer {
  constructor(private readonly options: QueryServerOptions) {}

  async answer(params: unknown): Promise<{ sealed: string }> {
    const { keys, limiter, totalLimiter, replay, windowMs, now, logger } = this.options;
    const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
    const sealed = typeof p.sealed === 'string' ? Buffer.from(p.sealed, 'base64') : undefined;
    if (sealed === undefined || sealed.length !== SEALED_REQUEST_BYTES) {
      throw new RpcMethodError(QueryServerRpcError.InvalidParams, `sealed must be ${SEALED_REQUEST_BYTES} bytes of base64`);
    }
    const at = now();
    if (!checkStamp(p.relay, sealed, at, windowMs)) {
      throw new RpcMethodError(QueryServerRpcError.RelayUnauthenticated, 'relay stamp missing, stale or not signed by its id');
    }
    if (!limiter.take(p.relay.id, at)) {
      logger.warn({ relay: p.relay.id }, 'relay over its rate limit');
      throw new RpcMethodError(QueryServerRpcError.RateLimited, 'rate limit exceeded for this relay');
    }
    if (!totalLimiter.take(ALL_RELAYS, at)) {
      logger.warn({}, 'server over its total rate limit');
      throw new RpcMethodError(QueryServerRpcError.RateLimited, 'rate limit exceeded for this server');
    }
    const server = keys();
    let opened;
    try {
      opened = openRequest(sealed, server.sealingSecret, server.sealingPublic);
    } catch (error) {
      throw new RpcMethodError(QueryServerRpcError.BadSeal, (error as Error).message);
    }
    const envelope = parseEnvelope(opened.plaintext);
    if (envelope === undefined) throw new RpcMethodError(QueryServerRpcError.BadSeal, 'sealed request does not hold a request envelope');
    try {
      replay.check(envelope.nonce, envelope.time, at);
    } catch (error) {
      throw new RpcMethodError(QueryServerRpcError.Replay, (error as Error).message);
    }
    const answer = await this.dispatch(envelope);
    logger.debug({ method: 'error' in answer ? 'refused' : (envelope.call as { method?: string }).method }, 'answered a sealed lookup');
    return { sealed: Buffer.from(sealAnswer(utf8ToBytes(JSON.stringify(answer)), opened)).toString('base64') };
  }

  private async dispatch(envelope: { nonce: string; call: unknown }): Promise<AnswerEnvelope> {
    const { nonce } = envelope;
    try {
      const call = checkLookupCall(envelope.call);
      if (call.method === LookupMethod.QueueStatus) return { v: 1, nonce, result: { zones: this.options.queuedTransactions() } };
      return { v: 1, nonce, result: await this.options.backend.call(call.method, backendBody(call)) };
    } catch (error) {
      const code = error instanceof SplitQueryError ? error.code : SplitQueryErrorCode.BackendFailed;
      return { v: 1, nonce, error: { code, message: (error as Error).message } };
    }
  }
}

/** What monerod gets: built from the checked call, never the client's JSON as it came. */
function backendBody(call: LookupCall): Record<string, unknown> {
  return call.method === LookupMethod.GetTransactions ? { txs_hashes: call.params.txs_hashes, decode_as_json: false } : call.params;
}

function parseEnvelope(plaintext: Uint8Array): { nonce: string; time: number; call: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(plaintext).toString('utf8'));
  } catch {
    return undefined;
  }
  const e = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (e.v !== 1 || fromHex(e.nonce, 16) === undefined || typeof e.time !== 'number') return undefined;
  return { nonce: e.nonce as string, time: e.time, call: e.call };
}
