import { SplitQueryError, SplitQueryErrorCode } from './errors';
import { RELAY_METHOD, type RelayedAnswer, type SealedRequestForServer } from './relay-forwarder';

/** How a client reaches one relay M: hand it a bundle, get one answer per request back. */
export interface RelayChannel {
  /** For reports: which relay this is (the client's own knowledge; never sent anywhere). */
  readonly name: string;
  relay(requests: readonly SealedRequestForServer[], timeoutMs: number): Promise<readonly RelayedAnswer[]>;
}

/**
 * A relay's JSON-RPC over HTTP (`--via http://IP:PORT`). The client talks to M directly: M is
 * the one party allowed to know the client's address.
 */
export class HttpRelayChannel implements RelayChannel {
  readonly name: string;
  private readonly url: string;

  constructor(url: string) {
    this.name = url;
    this.url = `${url.replace(/\/+$/, '')}/json_rpc`;
  }

  async relay(requests: readonly SealedRequestForServer[], timeoutMs: number): Promise<readonly RelayedAnswer[]> {
    const failed = (reason: string, cause?: unknown): SplitQueryError =>
      new SplitQueryError(SplitQueryErrorCode.RelayFailed, `relay ${this.name} failed: ${reason}`, { relay: this.name, reason }, { cause });
    let reply: unknown;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: RELAY_METHOD, params: { requests, timeoutMs } }),
        // The relay waits up to timeoutMs for its servers; give it a little more to answer.
        signal: AbortSignal.timeout(timeoutMs + 5000),
      });
      reply = await response.json();
    } catch (error) {
      throw failed((error as Error).message, error);
    }
    const r = (typeof reply === 'object' && reply !== null ? reply : {}) as { result?: { answers?: unknown }; error?: { message?: unknown } };
    if (r.error !== undefined) throw failed(`JSON-RPC error: ${String(r.error.message)}`);
    const answers = r.result?.answers;
    if (!Array.isArray(answers)) throw failed('answer has no answers array');
    return answers as RelayedAnswer[];
  }
}
