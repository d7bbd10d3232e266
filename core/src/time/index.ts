export * from './clock';
export * from './virtual-clock';
export * from './rng';
export * from './distributions';
