import type { ZoneStatusSource } from './zone-status';
import type { RpcMethodRegistry } from './rpc-method-registry';

/**
 * `get_zones`: every registered zone with its transport, whether it is enabled, our inbound
 * addresses, open connections per direction and queued transactions, and `journal`: what
 * opening the local-tx journal found damaged and kept aside (`damaged_records`,
 * `unreadable_bytes`, `moved_aside_to`). Not served on a restricted RPC server: it links our
 * clearnet node to our onion/I2P addresses.
 */
export const GET_ZONES = 'get_zones';

export function registerGetZones(methods: RpcMethodRegistry, source: ZoneStatusSource): void {
  methods.add(
    GET_ZONES,
    () => {
      const { damagedRecords, unreadableBytes, movedAsideTo } = source.journalRecovery();
      return { zones: source.zoneStatuses(), journal: { damaged_records: damagedRecords, unreadable_bytes: unreadableBytes, moved_aside_to: movedAsideTo } };
    },
    { restricted: false },
  );
}
