export * from './covert-slot-builder';
export * from './noise-scheduler';
export * from './levin-covert-slot-builder';
