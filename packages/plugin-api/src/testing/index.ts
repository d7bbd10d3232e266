/** @veilnode/plugin-api/testing: helpers for the tests of plugins and of the node. */
export * from './recording-logger';
export * from './rejection-of';
export * from './test-zone-config';
export * from './virtual-clock';
