import { randomBytes, randomInt } from 'node:crypto';
import { utf8ToBytes } from '@noble/hashes/utils';
import type { UsableServer } from './directory';
import { SplitQueryError, SplitQueryErrorCode } from './errors';
import { toHex } from './hex';
import { describeLookup, lookupCall, type Lookup } from './lookup';
import type { AnswerEnvelope, RequestEnvelope } from './query-server';
import type { RelayChannel } from './relay-channel';
import { openAnswer, sealRequest, type RequestSecrets } from './sealing';

/** One try of one lookup: which server and relay, and what went wrong if it did. */
export interface LookupAttempt {
  readonly server: string;
  readonly address: string;
  readonly relay: string;
  /** Undefined when this attempt gave the answer. */
  readonly failure?: string;
}

export type LookupResult = {
  readonly lookup: Lookup;
  readonly attempts: readonly LookupAttempt[];
} & (
  | { readonly ok: true; readonly server: string; readonly relay: string; readonly result: Record<string, unknown> }
  | { readonly ok: false; readonly error: string }
);

export interface SplitQueryOptions {
  /** Servers from a verified directory (verifyDirectory().usable). */
  readonly servers: readonly UsableServer[];
  readonly relays: readonly RelayChannel[];
  /** Tries per lookup, each through a new server (default 3). */
  readonly maxAttempts?: number;
  /** How long a relay may wait for its servers (default 15 s). */
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** Uniform integer in [0, n); crypto.randomInt unless a test fixes it. */
  readonly random?: (n: number) => number;
}

interface Pending {
  readonly index: number;
  readonly lookup: Lookup;
  readonly attempts: LookupAttempt[];
}

/**
 * The client: every lookup goes to a different server, chosen at random, sealed with a fresh
 * key pair; all of a round's requests go to the server through one relay as one bundle. A
 * lookup whose answer is missing, unopenable (tampered, bad seal) or an error is retried through
 * a server no lookup has used yet and, when there is one, another relay. No server ever gets
 * two different lookups of one query, so none can link them.
 */
export async function splitQuery(lookups: readonly Lookup[], options: SplitQueryOptions): Promise<LookupResult[]> {
  const { servers, relays, maxAttempts = 3, timeoutMs = 15_000, now = Date.now, random = randomInt } = options;
  if (relays.length === 0) throw new SplitQueryError(SplitQueryErrorCode.RelayFailed, 'no relay given', {});
  if (servers.length < lookups.length) {
    throw new SplitQueryError(SplitQueryErrorCode.NotEnoughServers, `${lookups.length} lookups need as many servers; the directory has ${servers.length} usable`, {
      lookups: lookups.length,
      servers: servers.length,
    });
  }
  lookups.forEach((lookup) => lookupCall(lookup)); // reject a malformed lookup before anything is sent
  const unused = [...servers];
  const take = (): UsableServer | undefined => (unused.length === 0 ? undefined : unused.splice(random(unused.length), 1)[0]);
  const relayOrder = shuffle([...relays], random);
  const results: LookupResult[] = new Array(lookups.length);
  let pending: Pending[] = lookups.map((lookup, index) => ({ index, lookup, attempts: [] }));

  for (let round = 0; round < maxAttempts && pending.length > 0; round++) {
    const relay = relayOrder[round % relayOrder.length];
    const batch = pending.flatMap((p) => {
      const server = take();
      if (server === undefined) {
        results[p.index] = { lookup: p.lookup, attempts: p.attempts, ok: false, error: 'no unused server left to retry with' };
        return [];
      }
      return [{ ...p, server, ...seal(p.lookup, server, now()) }];
    });
    if (batch.length === 0) break;
    let answers: readonly { sealed?: string; error?: string }[];
    try {
      answers = await relay.relay(
        batch.map((b) => ({ address: b.server.address, sealed: b.sealed })),
        timeoutMs,
      );
    } catch (error) {
      answers = batch.map(() => ({ error: (error as Error).message }));
    }
    pending = [];
    batch.forEach((b, i) => {
      const outcome = readAnswer(answers[i], b.secrets, b.nonce);
      const attempt = { server: b.server.id, address: b.server.address, relay: relay.name, ...('failure' in outcome ? { failure: outcome.failure } : {}) };
      b.attempts.push(attempt);
      if ('result' in outcome) {
        results[b.index] = { lookup: b.lookup, attempts: b.attempts, ok: true, server: b.server.id, relay: relay.name, result: outcome.result };
      } else {
        pending.push(b);
      }
    });
  }
  for (const p of pending) {
    results[p.index] = { lookup: p.lookup, attempts: p.attempts, ok: false, error: `${describeLookup(p.lookup)}: every attempt failed (last: ${p.attempts.at(-1)?.failure ?? 'none'})` };
  }
  return results;
}

function seal(lookup: Lookup, server: UsableServer, nowMs: number): { sealed: string; secrets: RequestSecrets; nonce: string } {
  const nonce = toHex(randomBytes(16));
  const envelope: RequestEnvelope = { v: 1, nonce, time: nowMs, call: lookupCall(lookup) };
  const { sealed, secrets } = sealRequest(utf8ToBytes(JSON.stringify(envelope)), server.sealingKey);
  return { sealed: Buffer.from(sealed).toString('base64'), secrets, nonce };
}

function readAnswer(answer: { sealed?: string; error?: string } | undefined, secrets: RequestSecrets, nonce: string): { result: Record<string, unknown> } | { failure: string } {
  if (answer === undefined) return { failure: 'relay returned no answer for this request' };
  if (typeof answer.sealed !== 'string') return { failure: `no answer: ${answer.error ?? 'relay gave neither answer nor error'}` };
  let envelope: AnswerEnvelope;
  try {
    envelope = JSON.parse(Buffer.from(openAnswer(Buffer.from(answer.sealed, 'base64'), secrets)).toString('utf8')) as AnswerEnvelope;
  } catch (error) {
    return { failure: `bad seal: ${(error as Error).message}` };
  }
  if (envelope.nonce !== nonce) return { failure: 'bad seal: answer is for another request' };
  if ('error' in envelope) return { failure: `server error ${envelope.error.code}: ${envelope.error.message}` };
  if (typeof envelope.result !== 'object' || envelope.result === null) return { failure: 'bad seal: answer holds no result' };
  return { result: envelope.result };
}

function shuffle<T>(items: T[], random: (n: number) => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
