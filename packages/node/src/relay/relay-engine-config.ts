import type { DandelionConfig } from '../dandelion/dandelion-router';
import type { NoiseConfig } from '../noise/noise-scheduler';
import type { RotationConfig } from './connection-rotator';
import type { FluffConfig } from './fluff-scheduler';
import type { SelectionConfig } from '../routing/outbound-selection';
import type { RejectionRules } from './rejection-tracker';
import type { PeerTxQuotaConfig } from './peer-tx-quota';
import type { RelayPoolLimits } from './relay-pool';
import type { SourcePenaltyConfig } from './source-penalties';
import type { PrivateBroadcastConfig } from './private-broadcast';

/** One enabled zone as the relay engine sees it. */
export interface RelayZoneConfig {
  readonly name: string;
  /** Tor/I2P-like: local txs go here, noise and rotation apply. */
  readonly anonymity: boolean;
  /** White noise on this anonymity zone's links (false = `disable_noise`). Ignored on public zones. */
  readonly noise: boolean;
  /** Configured outbound connection count; rotation never takes the zone below it. */
  readonly targetOutbound: number;
}

export interface RelayEngineConfig {
  /**
   * Enabled zones; at most one public. The order of the anonymity zones is the preference for
   * local txs (the first with connections carries them).
   */
  readonly zones: readonly RelayZoneConfig[];
  readonly dandelion?: Partial<DandelionConfig>;
  readonly fluff?: Partial<FluffConfig>;
  readonly embargoMeanMs?: number;
  /** Delay before a tx crosses from the zone it arrived on to another zone: U(minMs, maxMs). */
  readonly crossZoneDelay?: { readonly minMs: number; readonly maxMs: number };
  /** Stem selection of noise-free anonymity zones (2 outbound, 5 min + U(0, 30 s)). */
  readonly anonymitySelection?: Partial<SelectionConfig>;
  readonly noise?: Partial<NoiseConfig>;
  /** Outbound rotation on anonymity zones; false turns it off. */
  readonly rotation?: Partial<RotationConfig> | false;
  /**
   * A local tx counts as delivered when it is seen back on a public zone, or when a connection
   * that carried it is still up this long after the send (else it is sent again).
   */
  readonly deliveryConfirmMs?: number;
  /** When a local tx counts as refused by the network (verdict window, peers, max age). */
  readonly rejection?: Partial<RejectionRules>;
  /** Bounds of the tx pool (count, bytes, lifetime); DEFAULT_RELAY_POOL_LIMITS for what is left out. */
  readonly pool?: Partial<RelayPoolLimits>;
  /** What one source (address group) may send us; DEFAULT_PEER_TX_QUOTA for what is left out. */
  readonly peerTxQuota?: Partial<PeerTxQuotaConfig>;
  /** Strikes and penalties of tx sources; DEFAULT_SOURCE_PENALTY for what is left out. */
  readonly sourcePenalty?: Partial<SourcePenaltyConfig>;
  /** Private broadcast (issue 14); in effect only for the zones the engine is given carrier openers for. */
  readonly privateBroadcast?: PrivateBroadcastConfig;
}

export const DEFAULT_CROSS_ZONE_DELAY = Object.freeze({ minMs: 0, maxMs: 30_000 });
export const DEFAULT_DELIVERY_CONFIRM_MS = 30_000;
