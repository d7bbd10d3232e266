import type { Clock } from '@veilnode/plugin-api';
import { parseJsonExact } from '../json-reader';
import type { UpstreamChainSource } from '../monerod/sources';
import type { Upstream } from './upstream';
import { MAX_OWN_ANSWER_BYTES, readBounded } from './upstream-daemon';
import { UpstreamError } from './upstream-error';

/** A get_info answer is reused this long: wallets call get_info often, the chain moves every 2 min. */
const CACHE_MS = 1_000;

/** The upstream's get_info (u64 fields exact), shared by the requests of one second. */
export class UpstreamChainInfo implements UpstreamChainSource {
  private cached: { at: number; info: Promise<Record<string, unknown>> } | undefined;

  constructor(
    private readonly upstream: Upstream,
    private readonly clock: Clock,
  ) {}

  get label(): string {
    return this.upstream.label;
  }

  chainInfo(): Promise<Record<string, unknown>> {
    const now = this.clock.now();
    if (this.cached !== undefined && now - this.cached.at < CACHE_MS) return this.cached.info;
    const info = this.fetch();
    this.cached = { at: now, info };
    // A failure is not cached: the next request asks again.
    info.catch(() => (this.cached = undefined));
    return info;
  }

  private async fetch(): Promise<Record<string, unknown>> {
    const answer = await this.upstream.request('POST', '/get_info', 'application/json', Buffer.from('{}'));
    const text = await readBounded(answer, MAX_OWN_ANSWER_BYTES);
    const info = answer.statusCode === 200 ? parseJsonExact(text) : undefined;
    if (typeof info !== 'object' || info === null || (info as { status?: unknown }).status !== 'OK') {
      throw new UpstreamError('bad-answer', `the upstream daemon's get_info failed (HTTP ${answer.statusCode})`);
    }
    return info as Record<string, unknown>;
  }
}
