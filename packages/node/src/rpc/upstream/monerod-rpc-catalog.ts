/**
 * monerod's daemon RPC as an upstream serves it (src/rpc/core_rpc_server.h, v0.18): which paths
 * and JSON-RPC methods a restricted monerod (--restricted-rpc) serves. veilnode's restricted
 * listeners forward only these; an unrestricted listener forwards anything it does not answer.
 */
export const RESTRICTED_PATHS: ReadonlySet<string> = new Set([
  '/get_height',
  '/getheight',
  '/get_blocks.bin',
  '/getblocks.bin',
  '/get_blocks_by_height.bin',
  '/getblocks_by_height.bin',
  '/get_hashes.bin',
  '/gethashes.bin',
  '/get_o_indexes.bin',
  '/get_outs.bin',
  '/get_transactions',
  '/gettransactions',
  '/get_alt_blocks_hashes',
  '/is_key_image_spent',
  '/get_public_nodes',
  '/get_transaction_pool',
  '/get_transaction_pool_hashes.bin',
  '/get_transaction_pool_hashes',
  '/get_transaction_pool_stats',
  '/get_info',
  '/getinfo',
  '/get_limit',
  '/get_outs',
  '/get_output_distribution.bin',
]);

export const RESTRICTED_JSON_RPC_METHODS: ReadonlySet<string> = new Set([
  'get_block_count',
  'getblockcount',
  'on_get_block_hash',
  'on_getblockhash',
  'get_block_template',
  'getblocktemplate',
  'get_miner_data',
  'add_aux_pow',
  'submit_block',
  'submitblock',
  'get_last_block_header',
  'getlastblockheader',
  'get_block_header_by_hash',
  'getblockheaderbyhash',
  'get_block_header_by_height',
  'getblockheaderbyheight',
  'get_block_headers_range',
  'getblockheadersrange',
  'get_block',
  'getblock',
  'get_info',
  'hard_fork_info',
  'get_output_histogram',
  'get_version',
  'get_fee_estimate',
  'get_txpool_backlog',
  'get_output_distribution',
  'rpc_access_info',
]);

/**
 * Never forwarded, whatever answers locally: a tx handed to the upstream by RPC would leave
 * from the upstream's IP, the very link veilnode exists to hide. These take veilnode's own path.
 */
export const NEVER_FORWARDED_PATHS: ReadonlySet<string> = new Set(['/send_raw_transaction', '/sendrawtransaction']);
export const NEVER_FORWARDED_METHODS: ReadonlySet<string> = new Set(['relay_tx', 'send_raw_transaction', 'flush_txpool']);

/** A chain path or method a wallet needs: without an upstream it gets an error naming --bootstrap-daemon-address. */
export function needsUpstream(path: string, method?: string): boolean {
  return method === undefined ? RESTRICTED_PATHS.has(path) : RESTRICTED_JSON_RPC_METHODS.has(method);
}
