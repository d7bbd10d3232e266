import { publicRpcNodeKey, type PublicRpcNode } from './public-rpc-node';

export interface PublicNodeSelectorOptions {
  readonly now: () => number;
  /** [0, 1), to pick among equally good nodes. */
  readonly random: () => number;
  /** Nodes tried in any minute at most. Default 4. */
  readonly triesPerMinute?: number;
  /** A node that failed waits this long before it is tried again, doubling per failure. Default 1 min. */
  readonly backoffBaseMs?: number;
  /** Longest wait after repeated failures. Default 1 h. */
  readonly backoffMaxMs?: number;
  /** Failing nodes remembered at most (the oldest is forgotten first). Default 1000, monerod's. */
  readonly maxRemembered?: number;
}

interface Failures {
  count: number;
  /** Not tried again before this time. */
  until: number;
}

const MINUTE_MS = 60_000;

/**
 * Which public RPC node `auto` tries next, as monerod's bootstrap node selector: the nodes with
 * the fewest failures first, at random among equals. Unlike monerod it also bounds the tries:
 * a node that failed waits a back-off (1 min doubling to 1 h) before it is tried again, and at
 * most `triesPerMinute` nodes are tried in any minute, so peer lists full of dead or lying
 * entries cannot make us hammer one host, nor sweep many.
 */
export class PublicNodeSelector {
  private readonly failures = new Map<string, Failures>();
  /** When each try of the last minute started. */
  private tries: number[] = [];
  private readonly triesPerMinute: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxRemembered: number;

  constructor(private readonly options: PublicNodeSelectorOptions) {
    this.triesPerMinute = options.triesPerMinute ?? 4;
    this.backoffBaseMs = options.backoffBaseMs ?? MINUTE_MS;
    this.backoffMaxMs = options.backoffMaxMs ?? 3_600_000;
    this.maxRemembered = options.maxRemembered ?? 1000;
  }

  /**
   * The node to try now, counted as a try; undefined when this minute's tries are spent or every
   * candidate waits out its back-off.
   */
  next(candidates: readonly PublicRpcNode[]): PublicRpcNode | undefined {
    const now = this.options.now();
    this.tries = this.tries.filter((at) => now - at < MINUTE_MS);
    if (this.tries.length >= this.triesPerMinute) return undefined;
    let fewest = Infinity;
    let best: PublicRpcNode[] = [];
    for (const node of candidates) {
      const failed = this.failures.get(publicRpcNodeKey(node));
      if (failed !== undefined && failed.until > now) continue;
      const count = failed?.count ?? 0;
      if (count < fewest) {
        fewest = count;
        best = [];
      }
      if (count === fewest) best.push(node);
    }
    if (best.length === 0) return undefined;
    this.tries.push(now);
    return best[Math.floor(this.options.random() * best.length)];
  }

  /** The node did not answer, or answered unfit: it waits before it is tried again. */
  failed(node: PublicRpcNode): void {
    const key = publicRpcNodeKey(node);
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    this.failures.delete(key);
    this.failures.set(key, { count, until: this.options.now() + Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(count - 1, 30)) });
    if (this.failures.size > this.maxRemembered) this.failures.delete(this.failures.keys().next().value as string);
  }

  /** The node answered fit: its failures are forgotten. */
  succeeded(node: PublicRpcNode): void {
    this.failures.delete(publicRpcNodeKey(node));
  }
}
