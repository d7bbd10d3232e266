export * from './peer-error';
export * from './chain-state';
export * from './tx-sink';
export * from './peer-connection';
export * from './peer-layer';
export * from './outbound-maintainer';
export * from './peer-service';
export * from './peer-relay-port';
