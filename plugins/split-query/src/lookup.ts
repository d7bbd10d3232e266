import { SplitQueryError, SplitQueryErrorCode } from './errors';

/** One thing a wallet wants to know; each goes to its own server. */
export type Lookup =
  | { readonly kind: 'tx'; readonly id: string }
  | { readonly kind: 'keyimage'; readonly keyImage: string }
  | { readonly kind: 'pool' }
  | { readonly kind: 'queue' };

/** The read-only methods a server answers; anything else is refused. */
export const LookupMethod = {
  GetTransactions: 'get_transactions',
  IsKeyImageSpent: 'is_key_image_spent',
  GetTransactionPoolHashes: 'get_transaction_pool_hashes',
  /** veilnode's own relay queue: how many transactions it holds per zone. */
  QueueStatus: 'veilnode_queue_status',
} as const;

export type LookupMethodName = (typeof LookupMethod)[keyof typeof LookupMethod];

/** What travels inside a sealed request: the method and its parameters, nothing else from the wallet. */
export interface LookupCall {
  readonly method: LookupMethodName;
  readonly params: Record<string, unknown>;
}

const HASH = /^[0-9a-f]{64}$/;

function lookupError(message: string, context: Record<string, unknown> = {}): SplitQueryError {
  return new SplitQueryError(SplitQueryErrorCode.LookupInvalid, message, context);
}

function hash(value: unknown, what: string): string {
  if (typeof value !== 'string' || !HASH.test(value)) throw lookupError(`${what} must be 64 lower-case hex digits, got ${JSON.stringify(value)}`);
  return value;
}

export function lookupCall(lookup: Lookup): LookupCall {
  switch (lookup.kind) {
    case 'tx':
      return { method: LookupMethod.GetTransactions, params: { txs_hashes: [hash(lookup.id, 'tx id')] } };
    case 'keyimage':
      return { method: LookupMethod.IsKeyImageSpent, params: { key_images: [hash(lookup.keyImage, 'key image')] } };
    case 'pool':
      return { method: LookupMethod.GetTransactionPoolHashes, params: {} };
    case 'queue':
      return { method: LookupMethod.QueueStatus, params: {} };
  }
}

/** `tx <id>`, `keyimage <ki>`, `pool`, `queue`: how the CLI and reports name a lookup. */
export function describeLookup(lookup: Lookup): string {
  switch (lookup.kind) {
    case 'tx':
      return `tx ${lookup.id}`;
    case 'keyimage':
      return `keyimage ${lookup.keyImage}`;
    default:
      return lookup.kind;
  }
}

/**
 * The server's reading of a decrypted call: exactly one of the allowed methods with exactly the
 * parameters it takes (one hash), so nothing but the lookup reaches the backend.
 */
export function checkLookupCall(value: unknown): LookupCall {
  if (typeof value !== 'object' || value === null) throw lookupError('the call must be an object');
  const { method, params } = value as { method?: unknown; params?: unknown };
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const one = (key: string, what: string): string[] => {
    const list = p[key];
    if (!Array.isArray(list) || list.length !== 1) throw lookupError(`${method as string} takes exactly one ${what} in ${key}`);
    return [hash(list[0], what)];
  };
  switch (method) {
    case LookupMethod.GetTransactions:
      return { method, params: { txs_hashes: one('txs_hashes', 'tx id') } };
    case LookupMethod.IsKeyImageSpent:
      return { method, params: { key_images: one('key_images', 'key image') } };
    case LookupMethod.GetTransactionPoolHashes:
    case LookupMethod.QueueStatus:
      return { method, params: {} };
    default:
      throw lookupError(`method ${JSON.stringify(method)} is not served (only ${Object.values(LookupMethod).join(', ')})`, { method: String(method) });
  }
}

/** Lookups from CLI words: `tx <id>... keyimage <ki>... pool queue`. */
export function parseLookupWords(words: readonly string[]): Lookup[] {
  const lookups: Lookup[] = [];
  let kind: 'tx' | 'keyimage' | undefined;
  for (const word of words) {
    if (word === 'tx' || word === 'keyimage') {
      kind = word;
    } else if (word === 'pool' || word === 'queue') {
      lookups.push({ kind: word });
      kind = undefined;
    } else if (kind === 'tx') {
      lookups.push({ kind, id: hash(word.toLowerCase(), 'tx id') });
    } else if (kind === 'keyimage') {
      lookups.push({ kind, keyImage: hash(word.toLowerCase(), 'key image') });
    } else {
      throw lookupError(`unexpected ${JSON.stringify(word)}: lookups are tx <id>..., keyimage <ki>..., pool, queue`);
    }
  }
  if (lookups.length === 0) throw lookupError('no lookups given (tx <id>..., keyimage <ki>..., pool, queue)');
  return lookups;
}
