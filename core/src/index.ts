import 'reflect-metadata';

export * from './api';
// Wire layer: core-internal (not part of the plugin API contract), exported for core modules and tests.
export * from './epee';
export * from './levin';
export * from './wire';
// Relay engine and its parts: core-internal, exported for the node, the RPC and the simulator.
export * from './time';
export * from './dandelion';
export * from './noise';
export * from './relay';
