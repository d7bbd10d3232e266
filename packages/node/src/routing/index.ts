// The routing base Dandelion++, noise and the relay engine share: connection vocabulary and outbound selection.
export * from './types';
export * from './outbound-selection';
