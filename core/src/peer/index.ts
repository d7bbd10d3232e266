export * from './peer-error';
export * from './chain-state';
export * from './tx-sink';
export * from './peer-connection';
export * from './peer-layer';
export * from './relay-to-all';
export * from './outbound-maintainer';
export * from './peer-service';
