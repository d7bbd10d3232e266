/**
 * @veilnode/compliance: the mocha suites every veilnode transport and address codec must pass,
 * and the small test doubles a plugin author needs to run them without a node.
 */
export { transportCompliance } from './transport-compliance';
export type { TransportFixture, TransportTestbed } from './transport-testbed';
export { addressCodecCompliance } from './address-codec-compliance';
export type { AddressVectors, ValidAddressVector, InvalidAddressVector } from './address-codec-compliance';
export { RecordingLogger } from './recording-logger';
export type { LogEntry, LogLevel } from './recording-logger';
export { rejectionOf } from '@veilnode/plugin-api/testing';
export { RecordingPluginContext } from './recording-plugin-context';
export type { RecordingPluginContextOptions } from './recording-plugin-context';
export { createTestTransportContext } from './test-transport-context';
export type { TestTransportContextOptions } from './test-transport-context';
export { ResourceSnapshot } from './resource-snapshot';
export { readExactly, readToEnd, waitForClose, writeRespectingBackpressure, delay } from './stream-helpers';
