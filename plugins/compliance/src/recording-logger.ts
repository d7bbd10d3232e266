// The recording logger lives in @veilnode/plugin-api/testing so the node's own tests and plugin authors share one.
export { RecordingLogger, type LogEntry, type LogLevel } from '@veilnode/plugin-api/testing';
