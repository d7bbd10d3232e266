// The recording logger lives in core so core's own tests and plugin authors share one.
export { RecordingLogger, type LogEntry, type LogLevel } from '@veilnode/core';
