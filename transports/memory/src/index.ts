/** @veilnode/memory: an in-process transport with per-link latency and bandwidth. */
import { memoryPlugin } from './memory-plugin';

export { memoryPlugin, memoryPlugin as plugin };
export type { MemoryPluginConfig } from './memory-plugin';
export * from './link-model';
export * from './memory-stream';
export * from './memory-network';
export * from './memory-transport';
export default memoryPlugin;
