// monerod-compatible wallet RPC (inside the node).
export * from './sources';
export * from './attach-monerod-rpc';
export * from './held-tx-pool';
export * from './send-raw-transaction';
