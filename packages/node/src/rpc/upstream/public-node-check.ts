import type { ConnectionInfo } from '../monerod/sources';

/** What a public node's get_info must show before chain requests go to it. */
export interface PublicNodeExpectations {
  /** monerod's nettype text of our network (`fakechain` for regtest). */
  readonly nettype: string;
  /** The chain height our peers report (referenceHeight); undefined while none reported one. */
  readonly referenceHeight: number | undefined;
  /** Blocks it may be behind referenceHeight (new blocks reach nodes at different times). */
  readonly heightMargin: number;
}

/**
 * Why a public node's get_info answer rules it out, or undefined when it is fit: it must answer
 * OK, run our network, be synchronised by its own account (monerod's bootstrap check: height
 * not below target_height), and not be behind our peers by more than the margin. The reason
 * names no address (it is logged for anonymity zones too).
 */
export function publicNodeProblem(info: unknown, expected: PublicNodeExpectations): string | undefined {
  if (typeof info !== 'object' || info === null) return 'its get_info is not an object';
  const { status, nettype, height, target_height: target } = info as Record<string, unknown>;
  if (status !== 'OK') return `its get_info status is ${JSON.stringify(status)}`;
  if (nettype !== expected.nettype) return `it runs ${JSON.stringify(nettype)}, not ${expected.nettype}`;
  if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 1) return 'its get_info has no height';
  if (typeof target === 'number' && target > height) return `it is still syncing (height ${height} of ${target})`;
  const reference = expected.referenceHeight;
  if (reference !== undefined && height + expected.heightMargin < reference) return `it is ${reference - height} blocks behind our peers`;
  return undefined;
}

/**
 * The chain height our ready peers report, as their lower median: a peer that lies about a
 * huge height is one vote, so a few liars cannot make every honest node look behind.
 */
export function referenceHeight(connections: readonly ConnectionInfo[]): number | undefined {
  const heights = connections.filter((c) => c.ready && c.height > 0).map((c) => c.height);
  if (heights.length === 0) return undefined;
  heights.sort((a, b) => a - b);
  return heights[Math.floor((heights.length - 1) / 2)];
}
