/** @veilnode/node/relay: the relay engine and its parts (Dandelion++, noise, randomness), for simulators and tests. */
export * from '../time';
export * from '../dandelion';
export * from '../noise';
export * from '../relay';
