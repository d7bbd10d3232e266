/**
 * Field names of monerod 0.18's daemon RPC answers, written down from
 * src/rpc/core_rpc_server_commands_defs.h and cryptonote_protocol_defs.h (KV_SERIALIZE maps),
 * so tests can hold our answers to exactly monerod's shape.
 */
const RESPONSE_BASE = ['status', 'untrusted'];
const ACCESS_RESPONSE_BASE = [...RESPONSE_BASE, 'credits', 'top_hash'];

export const SEND_RAW_TX_FIELDS = [
  ...ACCESS_RESPONSE_BASE,
  'reason',
  'not_relayed',
  'low_mixin',
  'double_spend',
  'invalid_input',
  'invalid_output',
  'too_big',
  'overspend',
  'fee_too_low',
  'too_few_outputs',
  'sanity_check_failed',
  // added after 0.18.0.0 (0.18.4): newer wallets read them
  'tx_extra_too_big',
  'nonzero_unlock_time',
];

export const GET_INFO_FIELDS = [
  ...ACCESS_RESPONSE_BASE,
  'height',
  'target_height',
  'difficulty',
  'wide_difficulty',
  'difficulty_top64',
  'target',
  'tx_count',
  'tx_pool_size',
  'alt_blocks_count',
  'outgoing_connections_count',
  'incoming_connections_count',
  'rpc_connections_count',
  'white_peerlist_size',
  'grey_peerlist_size',
  'mainnet',
  'testnet',
  'stagenet',
  'nettype',
  'top_block_hash',
  'cumulative_difficulty',
  'wide_cumulative_difficulty',
  'cumulative_difficulty_top64',
  'block_size_limit',
  'block_weight_limit',
  'block_size_median',
  'block_weight_median',
  'adjusted_time',
  'start_time',
  'free_space',
  'offline',
  'bootstrap_daemon_address',
  'height_without_bootstrap',
  'was_bootstrap_ever_used',
  'database_size',
  'update_available',
  'busy_syncing',
  'version',
  'synchronized',
  'restricted',
];

export const TX_POOL_FIELDS = [...ACCESS_RESPONSE_BASE, 'transactions', 'spent_key_images'];
export const TX_INFO_FIELDS = [
  'id_hash',
  'tx_json',
  'blob_size',
  'weight',
  'fee',
  'max_used_block_id_hash',
  'max_used_block_height',
  'kept_by_block',
  'last_failed_height',
  'last_failed_id_hash',
  'receive_time',
  'relayed',
  'last_relayed_time',
  'do_not_relay',
  'double_spend_seen',
  'tx_blob',
];
export const TX_POOL_HASHES_FIELDS = [...ACCESS_RESPONSE_BASE, 'tx_hashes'];

export const GET_CONNECTIONS_FIELDS = [...RESPONSE_BASE, 'connections'];
export const CONNECTION_INFO_FIELDS = [
  'incoming',
  'localhost',
  'local_ip',
  'address',
  'host',
  'ip',
  'port',
  'rpc_port',
  'rpc_credits_per_hash',
  'peer_id',
  'recv_count',
  'recv_idle_time',
  'send_count',
  'send_idle_time',
  'state',
  'live_time',
  'avg_download',
  'current_download',
  'avg_upload',
  'current_upload',
  'support_flags',
  'connection_id',
  'height',
  'pruning_seed',
  'address_type',
];

export const GET_PEER_LIST_FIELDS = [...RESPONSE_BASE, 'white_list', 'gray_list'];
export const PEER_FIELDS = ['id', 'host', 'ip', 'port', 'rpc_port', 'rpc_credits_per_hash', 'last_seen', 'pruning_seed'];
