/**
 * @veilnode/split-query: a wallet's lookups spread over many servers through one relay, none of
 * which sees both who asked and what. The default export is the plugin.
 */
import { splitQueryPlugin } from './split-query-plugin';

export { splitQueryPlugin, splitQueryPlugin as plugin };
export { splitQuery, type LookupAttempt, type LookupResult, type SplitQueryOptions } from './query-client';
export { HttpRelayChannel, type RelayChannel } from './relay-channel';
export { describeLookup, parseLookupWords, LookupMethod, type Lookup } from './lookup';
export {
  DIRECTORY_FORMAT,
  createDirectory,
  parseDirectory,
  signDirectory,
  verifyDirectory,
  type DirectoryDocument,
  type DirectoryEntry,
  type DirectoryTrust,
  type UsableServer,
  type VerifiedDirectory,
} from './directory';
export { ServerKeys, SERVER_KEY_FILE, type ServerPublicKeys } from './server-keys';
export { ANSWER_METHOD, RELAY_METHOD } from './relay-forwarder';
export { SplitQueryError, SplitQueryErrorCode } from './errors';
export type { SplitQueryConfig } from './split-query-config';
export default splitQueryPlugin;
