import type { NetworkName } from '@veilnode/plugin-api';

/**
 * monerod's built-in clearnet seed nodes (`node_server::get_ip_seed_nodes` in
 * src/p2p/net_node.inl), dialled only while the clearnet peer store is empty. monerod resolves
 * DNS seeds first on mainnet; veilnode resolves no names (a lookup could leak through the
 * system resolver), so it starts from monerod's IP fallback list. Regtest has none.
 */
export const CLEARNET_SEEDS: Readonly<Record<NetworkName, readonly string[]>> = Object.freeze({
  mainnet: Object.freeze([
    '176.9.0.187:18080',
    '88.198.163.90:18080',
    '66.85.74.134:18080',
    '88.99.173.38:18080',
    '51.79.173.165:18080',
    '192.99.8.110:18080',
    '37.187.74.171:18080',
  ]),
  testnet: Object.freeze(['176.9.0.187:28080', '88.99.173.38:28080', '51.79.173.165:28080', '192.99.8.110:28080', '37.187.74.171:28080']),
  stagenet: Object.freeze(['176.9.0.187:38080', '88.99.173.38:38080', '51.79.173.165:38080', '192.99.8.110:38080', '37.187.74.171:38080']),
  regtest: Object.freeze([]),
});
