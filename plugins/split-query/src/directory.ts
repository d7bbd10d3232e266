import { ed25519 } from '@noble/curves/ed25519';
import { utf8ToBytes } from '@noble/hashes/utils';
import type { NetworkName } from '@veilnode/plugin-api';
import { SplitQueryError, SplitQueryErrorCode } from './errors';
import { fromHex, toHex } from './hex';
import { checkServerAddress } from './server-address';
import { sealingCertMessage, type ServerPublicKeys } from './server-keys';

/**
 * The signed directory: which servers exist, where they are reached and which sealing key each
 * uses. Every entry carries its own signatures, by directory keys, so a client uses an entry
 * only when k of the n directory keys its config trusts signed exactly that entry, and the
 * entry (and so its sealing key) has not expired. A relay or a poisoned mirror cannot swap in
 * its own key: it would need k directory keys.
 */
export const DIRECTORY_FORMAT = 'veilnode-split-query-directory/1';

export interface DirectorySignature {
  /** Directory key (Ed25519 public, hex). */
  readonly key: string;
  readonly signature: string;
}

export interface DirectoryEntry extends ServerPublicKeys {
  /** Where a relay reaches the server's RPC: `IP:PORT`, `<56>.onion:PORT` or `<52>.b32.i2p[:PORT]`. */
  readonly address: string;
  readonly signatures: readonly DirectorySignature[];
}

export interface DirectoryDocument {
  readonly format: typeof DIRECTORY_FORMAT;
  readonly network: NetworkName;
  readonly entries: readonly DirectoryEntry[];
}

/** The directory keys a client trusts, and how many of them must sign an entry. */
export interface DirectoryTrust {
  readonly keys: readonly string[];
  readonly threshold: number;
}

/** A server the client may use: every check passed. */
export interface UsableServer {
  readonly id: string;
  readonly address: string;
  readonly sealingKey: Uint8Array;
  readonly expires: number;
}

export type RejectionReason = 'malformed' | 'expired' | 'bad sealing signature' | 'under-signed' | 'wrong network' | 'duplicate id';

export interface VerifiedDirectory {
  readonly usable: readonly UsableServer[];
  readonly rejected: readonly { readonly id: string; readonly address: string; readonly reason: RejectionReason; readonly detail?: string }[];
}

const ENTRY_CONTEXT = 'veilnode split-query directory entry v1';

/** The exact bytes directory keys sign for one entry (fields are checked to hold no newline). */
export function entryMessage(network: string, entry: Omit<DirectoryEntry, 'signatures'>): Uint8Array {
  return utf8ToBytes([ENTRY_CONTEXT, network, entry.id, entry.address, entry.sealingKey, String(entry.expires), entry.sealingSignature].join('\n'));
}

function invalid(message: string, context: Record<string, unknown> = {}): SplitQueryError {
  return new SplitQueryError(SplitQueryErrorCode.DirectoryInvalid, message, context);
}

/** Why an entry's fields are unusable, or undefined when they are well-formed. */
function entryShapeProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return 'not an object';
  const e = entry as Record<string, unknown>;
  if (fromHex(e.id, 32) === undefined) return 'id must be 64 hex digits';
  if (fromHex(e.sealingKey, 32) === undefined) return 'sealingKey must be 64 hex digits';
  if (fromHex(e.sealingSignature, 64) === undefined) return 'sealingSignature must be 128 hex digits';
  if (!Number.isSafeInteger(e.expires) || (e.expires as number) <= 0) return 'expires must be unix seconds';
  if (typeof e.address !== 'string') return 'address must be a string';
  try {
    checkServerAddress(e.address);
  } catch (error) {
    return (error as Error).message;
  }
  if (!Array.isArray(e.signatures)) return 'signatures must be an array';
  for (const s of e.signatures as unknown[]) {
    const sig = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
    if (fromHex(sig.key, 32) === undefined || fromHex(sig.signature, 64) === undefined) return 'each signature needs key (64 hex) and signature (128 hex)';
  }
  return undefined;
}

/** A new, unsigned directory; throws DirectoryInvalid naming the first bad entry. */
export function createDirectory(network: NetworkName, entries: readonly Omit<DirectoryEntry, 'signatures'>[]): DirectoryDocument {
  const out = entries.map((entry, i) => {
    const full = { id: entry.id, address: entry.address, sealingKey: entry.sealingKey, expires: entry.expires, sealingSignature: entry.sealingSignature, signatures: [] };
    const problem = entryShapeProblem(full);
    if (problem !== undefined) throw invalid(`entry ${i}: ${problem}`, { entry: i });
    if (!ed25519.verify(fromHex(full.sealingSignature, 64) as Uint8Array, sealingCertMessage(fromHex(full.sealingKey, 32) as Uint8Array, full.expires), full.id)) {
      throw invalid(`entry ${i} (${full.id}): the sealing key is not signed by the server's identity`, { entry: i });
    }
    return full;
  });
  const ids = new Set(out.map((e) => e.id));
  if (ids.size !== out.length) throw invalid('two entries have the same server id');
  return { format: DIRECTORY_FORMAT, network, entries: out };
}

/** Reads a directory document's outer shape; entries are judged one by one in verifyDirectory. */
export function parseDirectory(value: unknown): DirectoryDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('a directory must be a JSON object');
  const doc = value as Record<string, unknown>;
  if (doc.format !== DIRECTORY_FORMAT) throw invalid(`format must be ${JSON.stringify(DIRECTORY_FORMAT)}, got ${JSON.stringify(doc.format)}`);
  if (typeof doc.network !== 'string') throw invalid('network must be a string');
  if (!Array.isArray(doc.entries)) throw invalid('entries must be an array');
  return value as DirectoryDocument;
}

/** Adds (or replaces) this directory key's signature on every entry. */
export function signDirectory(doc: DirectoryDocument, directorySecret: Uint8Array): DirectoryDocument {
  const key = toHex(ed25519.getPublicKey(directorySecret));
  return {
    ...doc,
    entries: doc.entries.map((entry, i) => {
      const problem = entryShapeProblem(entry);
      if (problem !== undefined) throw invalid(`entry ${i}: ${problem}; refusing to sign it`, { entry: i });
      const signature = toHex(ed25519.sign(entryMessage(doc.network, entry), directorySecret));
      return { ...entry, signatures: [...entry.signatures.filter((s) => s.key !== key), { key, signature }] };
    }),
  };
}

/** Checks a trust setting: distinct 64-hex keys, 1 <= threshold <= keys. */
export function checkTrust(trust: DirectoryTrust): DirectoryTrust {
  const keys = trust.keys.map((k) => k.toLowerCase());
  if (keys.some((k) => fromHex(k, 32) === undefined)) throw invalid('every trusted directory key must be 64 hex digits');
  if (new Set(keys).size !== keys.length) throw invalid('a trusted directory key is listed twice');
  if (!Number.isInteger(trust.threshold) || trust.threshold < 1 || trust.threshold > keys.length) {
    throw invalid(`threshold ${trust.threshold} must be between 1 and the number of trusted keys (${keys.length})`, { threshold: trust.threshold });
  }
  return { keys, threshold: trust.threshold };
}

/**
 * The entries a client may use: well-formed, for this network, not expired, the sealing key
 * signed by the server's identity, and signed by at least `threshold` distinct trusted keys.
 * Everything else is listed in `rejected` with the reason, and never used.
 */
export function verifyDirectory(doc: DirectoryDocument, trust: DirectoryTrust, network: NetworkName, nowSeconds: number): VerifiedDirectory {
  const { keys, threshold } = checkTrust(trust);
  const usable: UsableServer[] = [];
  const rejected: { id: string; address: string; reason: RejectionReason; detail?: string }[] = [];
  const seen = new Set<string>();
  for (const raw of doc.entries as unknown[]) {
    const entry = raw as DirectoryEntry;
    const label = { id: String((raw as { id?: unknown })?.id ?? '?'), address: String((raw as { address?: unknown })?.address ?? '?') };
    const problem = entryShapeProblem(raw);
    if (problem !== undefined) {
      rejected.push({ ...label, reason: 'malformed', detail: problem });
      continue;
    }
    if (doc.network !== network) {
      rejected.push({ ...label, reason: 'wrong network', detail: `directory is for ${doc.network}, we run ${network}` });
      continue;
    }
    if (seen.has(entry.id)) {
      rejected.push({ ...label, reason: 'duplicate id' });
      continue;
    }
    seen.add(entry.id);
    if (entry.expires <= nowSeconds) {
      rejected.push({ ...label, reason: 'expired', detail: `expired at ${new Date(entry.expires * 1000).toISOString()}` });
      continue;
    }
    const sealingKey = fromHex(entry.sealingKey, 32) as Uint8Array;
    if (!ed25519.verify(fromHex(entry.sealingSignature, 64) as Uint8Array, sealingCertMessage(sealingKey, entry.expires), entry.id)) {
      rejected.push({ ...label, reason: 'bad sealing signature' });
      continue;
    }
    const message = entryMessage(doc.network, entry);
    const signers = new Set(entry.signatures.filter((s) => keys.includes(s.key) && ed25519.verify(s.signature, message, s.key)).map((s) => s.key));
    if (signers.size < threshold) {
      rejected.push({ ...label, reason: 'under-signed', detail: `${signers.size} of the required ${threshold} trusted signatures` });
      continue;
    }
    usable.push({ id: entry.id, address: entry.address, sealingKey, expires: entry.expires });
  }
  return { usable, rejected };
}
