import type { JournalRecovery } from '../relay/durable-tx-queue';

/** One zone as get_zones reports it. */
export interface ZoneStatus {
  readonly name: string;
  /** The transport serving (or chosen for) the zone; null when none is chosen. */
  readonly transport: string | null;
  readonly enabled: boolean;
  /** Own addresses peers can reach us at in this zone. */
  readonly inbound: readonly string[];
  readonly connections: { readonly in: number; readonly out: number };
  readonly queued: number;
  /** White noise on the zone's links (`disable_noise` turns it off). */
  readonly noise: boolean;
  /** The transport's health (false while e.g. Tor's SOCKS proxy or control port is gone); true when not running. */
  readonly healthy: boolean;
  /** Why it is unhealthy (no secrets, no peer addresses); absent when healthy. */
  readonly problem?: string;
}

export interface ZoneStatusSource {
  zoneStatuses(): ZoneStatus[];
  /** get_zones `journal`: what opening the local-tx journal found damaged (see RelayQueue). */
  journalRecovery(): JournalRecovery;
}
