import { SplitQueryError, SplitQueryErrorCode } from './errors';

/** The backend monerod RPC a server answers from (monerod's plain JSON endpoints). */
export interface QueryBackend {
  call(endpoint: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/**
 * monerod's RPC over HTTP: `POST <url>/<endpoint>` with a JSON body. Failures become
 * SplitQueryError SPLIT_QUERY_BACKEND_FAILED naming the endpoint (never the lookup).
 */
export class MonerodBackend implements QueryBackend {
  private readonly base: string;

  constructor(
    url: string,
    private readonly timeoutMs: number,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  async call(endpoint: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const failed = (reason: string, cause?: unknown): SplitQueryError =>
      new SplitQueryError(SplitQueryErrorCode.BackendFailed, `backend ${endpoint} failed: ${reason}`, { endpoint, reason }, { cause });
    let response: Response;
    try {
      response = await fetch(`${this.base}/${endpoint}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw failed((error as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : 'unreachable', error);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw failed(`HTTP ${response.status}`);
    }
    let result: unknown;
    try {
      result = await response.json();
    } catch (error) {
      throw failed('answer is not JSON', error);
    }
    if (typeof result !== 'object' || result === null || Array.isArray(result)) throw failed('answer is not a JSON object');
    const status = (result as { status?: unknown }).status;
    if (status !== undefined && status !== 'OK') throw failed(`status ${JSON.stringify(status)}`);
    return result as Record<string, unknown>;
  }
}
