/** @veilnode/node/relay: the relay engine and its parts (routing base, Dandelion++, noise, randomness), for simulators and tests. */
export * from '../time';
export * from '../routing';
export * from '../dandelion';
export * from '../noise';
export * from '../relay';
