/**
 * @veilnode/protocol: Monero's p2p wire format, pure (no I/O): epee storage, Levin frames, the
 * p2p and protocol messages, and the transaction layout and relay rules.
 */
export * from './epee';
export * from './levin';
export * from './wire';
export * from './tx';
