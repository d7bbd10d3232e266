// The anonymity relay engine (inside the node, not part of the plugin API contract).
export * from './relay-engine';
export * from './relay-engine-config';
export * from './relay-outbound-port';
export * from './relay-errors';
export * from './local-tx-store';
export * from './durable-tx-queue';
export * from './relay-pool';
export * from './fluff-scheduler';
export * from './connection-rotator';
export * from './peer-height-filter';
export * from './carrier-port';
export * from './carrier-pool';
export * from './echo-tracker';
export * from './private-broadcast';
