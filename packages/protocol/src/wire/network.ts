import type { NetworkName } from '@veilnode/plugin-api';

/** network_id per network, hex (see networkId() for a Buffer). Regtest (FAKECHAIN) uses mainnet's network id and ports (docs/commands.md). */
export const NETWORK_ID_HEX: Readonly<Record<NetworkName, string>> = Object.freeze({
  mainnet: '1230f171610441611731008216a1a110',
  testnet: '1230f171610441611731008216a1a111',
  stagenet: '1230f171610441611731008216a1a112',
  regtest: '1230f171610441611731008216a1a110',
});

/** Genesis block hash per network, hex; regtest builds mainnet's genesis block (see genesisHash()). */
export const GENESIS_HASH_HEX: Readonly<Record<NetworkName, string>> = Object.freeze({
  mainnet: '418015bb9ae982a1975da7d79277c2705727a56894ba0fb246adaabb1f4632e3',
  regtest: '418015bb9ae982a1975da7d79277c2705727a56894ba0fb246adaabb1f4632e3',
  testnet: '48ca7cd3c8de5b6a4d53d2861fbdaedca141553559f9be9520068053cda8430b',
  stagenet: '76ee3cc98646292206cd3e86f74d88b4dcc1d937088645e9b0cbca84b7ce74eb',
});

/** Default P2P ports. */
export const DEFAULT_P2P_PORTS: Readonly<Record<NetworkName, number>> = Object.freeze({
  mainnet: 18080,
  testnet: 28080,
  stagenet: 38080,
  regtest: 18080,
});

/** The 16-byte network_id sent in node_data (a fresh copy). */
export function networkId(network: NetworkName): Buffer {
  return Buffer.from(NETWORK_ID_HEX[network], 'hex');
}

/**
 * Genesis block hash (a fresh copy). Regtest (FAKECHAIN) generates its genesis block from
 * mainnet's genesis transaction and nonce, hence mainnet's hash.
 */
export function genesisHash(network: NetworkName): Buffer {
  return Buffer.from(GENESIS_HASH_HEX[network], 'hex');
}
