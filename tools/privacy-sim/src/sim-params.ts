import { ConfigError } from '@veilnode/plugin-api';
import { DEFAULT_CROSS_ZONE_DELAY } from '@veilnode/node/relay';

export const MODES = ['diffusion', 'dandelion', 'veilnode', 'carriers'] as const;
export type Mode = (typeof MODES)[number];

/**
 * The relay tunables the `veilnode` mode runs with (the other modes ignore them): noise on the
 * anonymity zone (`disable_noise` turns it off) and the cross-zone delay U(0, max).
 */
export interface VeilnodeRelaySettings {
  readonly noise: boolean;
  readonly crossZoneDelayMaxMs: number;
}

/** Issue 5's defaults: noise on, cross-zone delay U(0, 30 s). */
export const DEFAULT_VEILNODE_RELAY: VeilnodeRelaySettings = Object.freeze({ noise: true, crossZoneDelayMaxMs: DEFAULT_CROSS_ZONE_DELAY.maxMs });

/**
 * Private broadcast as the `carriers` mode runs it (the veilnode mode's relay otherwise): every
 * anonymity node keeps a CarrierPool of `poolSize` warm; each local tx goes out on `fanout`
 * carriers of its own through an EchoTracker.
 */
export interface CarrierSettings {
  readonly fanout: number;
  readonly poolSize: number;
}

export const DEFAULT_CARRIERS: CarrierSettings = Object.freeze({ fanout: 2, poolSize: 6 });

/** Everything that defines one simulator run; the same params and seed give the same numbers. */
export interface SimParams {
  readonly nodes: number;
  readonly txs: number;
  readonly seed: number;
  /** Public-zone outbound connections per node (monerod: 12); inbound as they fall. */
  readonly outbound: number;
  /** Share of all nodes that also run an anonymity zone (honest nodes only; the origins are among them). */
  readonly anonymityShare: number;
  /** Anonymity-zone outbound connections per such node. */
  readonly anonymityOutbound: number;
  /**
   * Adversary shares to evaluate; the largest set contains the smaller ones. Each is both the
   * public-zone spies' share of the other nodes and the hidden-service adversary's share of the
   * anonymity-zone nodes.
   */
  readonly spyShares: readonly number[];
  /** Virtual time between two submitted txs. */
  readonly txIntervalMs: number;
  readonly warmupMs: number;
  /** Virtual time simulated after the last submission (stems, embargoes, crossings). */
  readonly drainMs: number;
  readonly txBytes: number;
  /**
   * Every node forgets a tx this long after it first saw it, as when the tx is mined (Monero's
   * block time is 2 min). Propagation slower than this counts as never reaching 90 %.
   */
  readonly minedAfterMs: number;
  readonly veilnodeRelay: VeilnodeRelaySettings;
  readonly carriers: CarrierSettings;
  /** The hidden-service adversary links two txs of one sender submitted at most this far apart. */
  readonly linkWindowMs: number;
}

export const DEFAULT_PARAMS: SimParams = Object.freeze({
  nodes: 1000,
  txs: 500,
  seed: 1,
  outbound: 12,
  anonymityShare: 0.5,
  anonymityOutbound: 4,
  spyShares: Object.freeze([0.05, 0.1, 0.15, 0.2, 0.4]),
  txIntervalMs: 2_000,
  warmupMs: 60_000,
  drainMs: 10 * 60_000,
  txBytes: 1_500,
  minedAfterMs: 5 * 60_000,
  veilnodeRelay: DEFAULT_VEILNODE_RELAY,
  carriers: DEFAULT_CARRIERS,
  linkWindowMs: 10 * 60_000,
});

/** Small enough for a unit test, large enough for the diffusion/Dandelion++ gap to show. */
export const QUICK_PARAMS: Partial<SimParams> = Object.freeze({ nodes: 150, txs: 60, drainMs: 5 * 60_000 });

export function checkParams(params: SimParams): SimParams {
  const positiveInt = (key: keyof SimParams) => {
    const v = params[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ConfigError(`sim ${key} must be a positive integer, got ${String(v)}`, { path: key });
  };
  positiveInt('nodes');
  positiveInt('txs');
  positiveInt('outbound');
  positiveInt('anonymityOutbound');
  if (params.outbound >= params.nodes) throw new ConfigError(`sim needs more nodes (${params.nodes}) than outbound connections (${params.outbound})`, { path: 'nodes' });
  if (!(params.anonymityShare > 0 && params.anonymityShare < 1)) throw new ConfigError('sim anonymityShare must be in (0, 1)', { path: 'anonymityShare' });
  const maxSpy = Math.max(...params.spyShares);
  if (params.spyShares.length === 0 || params.spyShares.some((p) => !(p > 0 && p < 1))) throw new ConfigError('sim spy shares must be in (0, 1)', { path: 'spyShares' });
  if (params.anonymityShare + maxSpy > 1) throw new ConfigError('sim anonymityShare + largest spy share must not exceed 1 (anonymity nodes are honest)', { path: 'anonymityShare' });
  if (Math.floor(params.nodes * params.anonymityShare) < 2) throw new ConfigError('sim needs at least 2 anonymity-zone nodes', { path: 'anonymityShare' });
  const { crossZoneDelayMaxMs } = params.veilnodeRelay;
  if (!(crossZoneDelayMaxMs >= 0)) throw new ConfigError(`sim cross-zone delay max must be >= 0 ms, got ${crossZoneDelayMaxMs}`, { path: 'veilnodeRelay.crossZoneDelayMaxMs' });
  if (!(Number.isInteger(params.carriers.fanout) && params.carriers.fanout > 0 && Number.isInteger(params.carriers.poolSize) && params.carriers.poolSize >= params.carriers.fanout))
    throw new ConfigError('sim carriers need fanout >= 1 and poolSize >= fanout', { path: 'carriers' });
  return params;
}
