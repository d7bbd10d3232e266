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
}

export interface ZoneStatusSource {
  zoneStatuses(): ZoneStatus[];
}
