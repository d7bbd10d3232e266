export * from './rng';
export * from './distributions';
