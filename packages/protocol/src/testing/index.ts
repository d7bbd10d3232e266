/** @veilnode/protocol/testing: transactions and captured monerod frames for tests and benchmarks. */
export * from './junk-txs';
export * from './monerod-vectors';
export * from './regtest-txs';
