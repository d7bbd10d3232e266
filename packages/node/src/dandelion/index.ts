export * from './dandelion-router';
export * from './stem-pool';
