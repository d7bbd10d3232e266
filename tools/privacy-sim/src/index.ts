/** @veilnode/privacy-sim: measurement tools built on the real relay engine (never loaded by the node). */
export * from './engine-network';
export * from './sim-params';
export * from './topology';
export * from './run-mode';
export * from './estimators';
export * from './metrics';
export * from './simulator';
export * from './sim-report';
export * from './noise-capture';
export * from './traffic-features';
export * from './stump-classifier';
export * from './noise-bench';
export * from './path-phases';
export * from './sweep';
export * from './linkability';
export * from './sim-carriers';
