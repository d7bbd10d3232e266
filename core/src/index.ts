import 'reflect-metadata';

export * from './api';
// Wire layer: core-internal (not part of the plugin API contract), exported for core modules and tests.
export * from './epee';
export * from './levin';
export * from './wire';
// Peer layer: Monero tx ids, per-zone peer stores, Levin peer connections (core-internal).
export * from './tx';
export * from './peerstore';
export * from './peer';
