/** @veilnode/node/testing: start-up helpers for tests (a node prepared from a config, its fixtures). */
export * from './fixtures';
export * from './prepare';
