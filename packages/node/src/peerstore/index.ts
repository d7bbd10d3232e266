export * from './peer-entry';
export * from './peer-list-error';
export * from './local-wire-address';
export * from './zone-peer-store';
