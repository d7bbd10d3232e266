import { ed25519 } from '@noble/curves/ed25519';
import { sha256 } from '@noble/hashes/sha256';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils';
import { fromHex, toHex } from './hex';
import type { ServerKeys } from './server-keys';

/**
 * A relay signs each sealed request it forwards with its identity key, so servers can rate-limit
 * per relay and one relay cannot spend another's budget. It says nothing about the client.
 */
export interface RelayStamp {
  /** The relay's Ed25519 identity, hex. */
  readonly id: string;
  /** Unix ms when the relay forwarded the request. */
  readonly time: number;
  readonly signature: string;
}

const FORWARD_CONTEXT = utf8ToBytes('veilnode split-query forward v1');

function forwardMessage(sealed: Uint8Array, time: number): Uint8Array {
  const when = new Uint8Array(8);
  new DataView(when.buffer).setBigUint64(0, BigInt(time));
  return concatBytes(FORWARD_CONTEXT, sha256(sealed), when);
}

export function stampForward(keys: ServerKeys, sealed: Uint8Array, nowMs: number): RelayStamp {
  return { id: keys.public.id, time: nowMs, signature: toHex(keys.sign(forwardMessage(sealed, nowMs))) };
}

/** True when the stamp is well-formed, signed by its id over this request, and within `windowMs` of now. */
export function checkStamp(stamp: unknown, sealed: Uint8Array, nowMs: number, windowMs: number): stamp is RelayStamp {
  if (typeof stamp !== 'object' || stamp === null) return false;
  const { id, time, signature } = stamp as Record<string, unknown>;
  const key = fromHex(id, 32);
  const sig = fromHex(signature, 64);
  if (key === undefined || sig === undefined || !Number.isSafeInteger(time) || (time as number) < 0) return false;
  if (Math.abs(nowMs - (time as number)) > windowMs) return false;
  try {
    return ed25519.verify(sig, forwardMessage(sealed, time as number), key);
  } catch {
    return false;
  }
}
