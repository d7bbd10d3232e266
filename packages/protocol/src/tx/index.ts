export * from './transaction-error';
export * from './transaction-layout';
export * from './transaction-id';
export * from './relay-rules';
