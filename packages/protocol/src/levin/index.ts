export * from './errors';
export * from './constants';
export * from './header';
export * from './message';
export * from './frame';
export * from './noise';
export * from './stream-decoder';
export * from './receive-budget';
