export * from './network';
export * from './network-address';
export * from './peerlist';
export * from './node-data';
export * from './sync-data';
export * from './messages';
export * from './frames';
export * from './tx-padding';
