import type { Duplex } from 'node:stream';
import { RpcMethodError, VeilnodeError, type DialOptions, type Logger, type PeerAddress, type TransportConnection } from '@veilnode/plugin-api';
import { callJsonRpcOverStream } from './json-rpc-over-stream';
import { stampForward } from './relay-auth';
import { SEALED_ANSWER_SIZES, SEALED_REQUEST_BYTES } from './sealing';
import { checkServerAddress } from './server-address';
import type { ServerKeys } from './server-keys';

/** The server's RPC method a relay forwards to. */
export const ANSWER_METHOD = 'split_query_answer';
/** The relay's RPC method a client hands its bundle to. */
export const RELAY_METHOD = 'split_query_relay';

export interface SealedRequestForServer {
  /** The server's reachable address (from the signed directory). */
  readonly address: string;
  /** The sealed request, base64. */
  readonly sealed: string;
}

/** One answer per request, in order: the sealed answer, or why there is none. */
export type RelayedAnswer = { readonly sealed: string } | { readonly error: string };

export interface RelayForwarderOptions {
  readonly keys: () => ServerKeys;
  /** The node's zones' codecs (PluginContext.parseAddress): a server's address text to the address dialled. */
  readonly parseAddress: (text: string) => PeerAddress;
  readonly dial: (address: PeerAddress, options?: DialOptions) => Promise<TransportConnection>;
  readonly logger: Logger;
  readonly maxBundle: number;
  /** Longest a client may ask the relay to wait for its servers. */
  readonly deadlineMs: number;
  readonly now: () => number;
}

const LARGEST_ANSWER_BASE64 = Math.ceil(Math.max(...SEALED_ANSWER_SIZES) / 3) * 4;

/**
 * The relay side (`split_query_relay`, node M): takes a client's bundle of sealed requests,
 * dials each server through the transport of its address's zone (an onion server over Tor),
 * forwards, and returns the sealed answers collected before the deadline. M sees the client's
 * connection but only ciphertext; the RPC layer does not even give it the client's address, and
 * its logs hold counts and server addresses only.
 */
export class RelayForwarder {
  constructor(private readonly options: RelayForwarderOptions) {}

  async relay(params: unknown): Promise<{ answers: RelayedAnswer[] }> {
    const { requests, timeoutMs } = this.checkParams(params);
    const started = this.options.now();
    // One deadline per forward: a shared signal would collect listeners from every dial.
    const answers = await Promise.all(requests.map((request) => this.forward(request, AbortSignal.timeout(timeoutMs))));
    const failed = answers.filter((a) => 'error' in a).length;
    this.options.logger.info({ requests: requests.length, failed, ms: this.options.now() - started }, 'relayed a bundle of sealed lookups');
    return { answers };
  }

  private async forward(request: SealedRequestForServer, deadline: AbortSignal): Promise<RelayedAnswer> {
    const sealed = Buffer.from(request.sealed, 'base64');
    const relay = stampForward(this.options.keys(), sealed, this.options.now());
    let stream: Duplex;
    try {
      stream = (await this.options.dial(this.options.parseAddress(request.address), { signal: deadline })).stream;
    } catch (error) {
      // The client gets the error's code only: a transport's message may name our proxy.
      const code = error instanceof VeilnodeError ? ` (${error.code})` : '';
      return this.failed(request, deadline, error, `the relay could not reach the server${code}`);
    }
    try {
      const result = await callJsonRpcOverStream(stream, ANSWER_METHOD, { sealed: request.sealed, relay }, { signal: deadline, maxResponseBytes: LARGEST_ANSWER_BASE64 + 1024 });
      const answer = (typeof result === 'object' && result !== null ? result : {}) as { sealed?: unknown };
      if (typeof answer.sealed !== 'string' || !SEALED_ANSWER_SIZES.includes(Buffer.from(answer.sealed, 'base64').length)) {
        throw new Error('server answered something that is not a sealed answer');
      }
      return { sealed: answer.sealed };
    } catch (error) {
      return this.failed(request, deadline, error, (error as Error).message);
    }
  }

  private failed(request: SealedRequestForServer, deadline: AbortSignal, error: unknown, forClient: string): RelayedAnswer {
    const reason = deadline.aborted ? 'no answer before the deadline' : forClient;
    this.options.logger.debug({ server: request.address, reason, err: (error as Error).message }, 'forward failed');
    return { error: reason };
  }

  private checkParams(params: unknown): { requests: SealedRequestForServer[]; timeoutMs: number } {
    const { maxBundle, deadlineMs } = this.options;
    const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
    const bad = (message: string): RpcMethodError => new RpcMethodError(-32602, message);
    if (!Array.isArray(p.requests) || p.requests.length === 0 || p.requests.length > maxBundle) throw bad(`requests must be an array of 1..${maxBundle} sealed requests`);
    const requests = p.requests.map((r: unknown, i) => {
      const { address, sealed } = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
      if (typeof address !== 'string') throw bad(`requests[${i}].address must be a string`);
      try {
        checkServerAddress(address);
      } catch (error) {
        throw bad(`requests[${i}].address: ${(error as Error).message}`);
      }
      if (typeof sealed !== 'string' || Buffer.from(sealed, 'base64').length !== SEALED_REQUEST_BYTES) throw bad(`requests[${i}].sealed must be ${SEALED_REQUEST_BYTES} bytes of base64`);
      return { address, sealed };
    });
    const asked = p.timeoutMs === undefined ? deadlineMs : p.timeoutMs;
    if (!Number.isInteger(asked) || (asked as number) < 1) throw bad('timeoutMs must be a positive integer');
    return { requests, timeoutMs: Math.min(asked as number, deadlineMs) };
  }
}
