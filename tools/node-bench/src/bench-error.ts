import { VeilnodeError } from '@veilnode/plugin-api';

/** A benchmark run that did not complete (a daemon did not start, handshakes or deliveries failed). */
export class BenchError extends VeilnodeError {}
