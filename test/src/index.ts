export * from './harness/tor';
