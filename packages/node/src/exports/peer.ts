/** @veilnode/node/peer: the Levin peer layer and the per-zone peer stores, for tests and benchmarks. */
export * from '../peerstore';
export * from '../peer';
