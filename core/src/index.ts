import 'reflect-metadata';

export * from './api';
// Wire layer: core-internal (not part of the plugin API contract), exported for core modules and tests.
export * from './epee';
export * from './levin';
export * from './wire';
