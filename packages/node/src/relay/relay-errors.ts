import { VeilnodeError } from '@veilnode/plugin-api';

/** A transaction the relay engine cannot take (empty, too large for covert sending...). */
export class RelayError extends VeilnodeError {}

/** The local-tx journal cannot be read or written. `context.file` names the journal. */
export class JournalError extends VeilnodeError {}
