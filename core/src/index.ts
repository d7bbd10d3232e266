import 'reflect-metadata';

export * from './api';
// A Logger that records its calls: for core's tests and plugin authors' (re-exported by @veilnode/compliance).
export * from './logging/recording-logger';
// Test helpers for core's tests and plugin authors' (@veilnode/compliance uses and re-exports them).
export * from './testing/rejection-of';
export * from './testing/test-zone-config';
export * from './testing/junk-txs';
// Wire layer: core-internal (not part of the plugin API contract), exported for core modules and tests.
export * from './epee';
export * from './levin';
export * from './wire';
// Relay engine and its parts: core-internal, exported for the node, the RPC and the simulator.
export * from './time';
export * from './dandelion';
export * from './noise';
export * from './relay';
// Peer layer: Monero tx ids, per-zone peer stores, Levin peer connections (core-internal).
export * from './tx';
export * from './peerstore';
export * from './peer';
// Embedding: what builds and runs a node from a command line or a config, for the CLI's peers
// (tests, tools) until the node package's own entry point replaces it.
export { buildConfig } from './config/build-config';
export { parseCommandLine } from './config/command-line';
export { prepareNode, type PreparedNode } from './node/prepare-node';
export { composeVeilnode, type Veilnode, type VeilnodeOptions } from './node/compose-veilnode';
