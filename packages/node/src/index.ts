/**
 * @veilnode/node: the node itself (peer layer, relay engine, RPC, config, plugin host, CLI).
 * Embedding: `createNode`; the relay engine for simulators: `@veilnode/node/relay`; the Levin
 * peer layer: `@veilnode/node/peer`; test helpers: `@veilnode/node/testing`.
 */
import 'reflect-metadata';

export { createNode, type CreateNodeInputs, type CreatedNode } from './node/create-node';
export type { Veilnode } from './node/veilnode';
export type { VeilnodeOptions } from './node/compose-node';
export type { PreparedNode } from './node/prepare-node';
export type { NodeConfig } from './config/core-schema';
export { buildConfig } from './config/build-config';
