import type { EpeeCodec } from './codec';
import { EpeeError } from './errors';
import { EPEE_MAX_KEY_LENGTH } from './limits';
import type { EpeeReader } from './reader';
import { EPEE_FIXED_WIDTH, EpeeTag } from './tags';
import { varintSize } from './varint';
import type { EpeeWriter } from './writer';

/** A schema-less value: 64-bit integers as bigint, other numbers as number, strings as Buffer views. */
export type EpeeScalar = bigint | number | boolean | Buffer | EpeeSection;

/** One generic entry with its exact wire tag (element tag | 0x80 for arrays). */
export interface EpeeEntry {
  readonly tag: number;
  readonly value: EpeeScalar | readonly EpeeScalar[];
}

/** A schema-less section; keys are latin1 strings (one char per key byte). */
export type EpeeSection = Map<string, EpeeEntry>;

function readScalar(r: EpeeReader, tag: number, nest: number): EpeeScalar {
  switch (tag) {
    case EpeeTag.Int64:
      return r.i64();
    case EpeeTag.Int32:
      return r.i32();
    case EpeeTag.Int16:
      return r.i16();
    case EpeeTag.Int8:
      return r.i8();
    case EpeeTag.UInt64:
      return r.u64();
    case EpeeTag.UInt32:
      return r.u32();
    case EpeeTag.UInt16:
      return r.u16();
    case EpeeTag.UInt8:
      return r.u8();
    case EpeeTag.Double:
      return r.f64();
    case EpeeTag.String:
      return r.string();
    case EpeeTag.Bool:
      return r.bool();
    case EpeeTag.Object:
      r.countObject();
      return readGenericSection(r, nest);
    default:
      return r.fail('EPEE_BAD_TYPE', `unknown entry type ${tag}`, { tag }, r.pos - 1);
  }
}

/** Reads any value of wire type `tag` (see EpeeCodec.read for `nest`). */
export function readAnyValue(r: EpeeReader, tag: number, nest: number): EpeeEntry {
  if ((tag & 0x80) === 0) return { tag, value: readScalar(r, tag, nest) };
  const elementTag = tag & 0x7f;
  const count = r.beginArray(elementTag, nest);
  const value = new Array<EpeeScalar>(count);
  for (let i = 0; i < count; i++) value[i] = readScalar(r, elementTag, nest + 3);
  return { tag, value };
}

/** Reads a bare section into a Map (see ObjectCodec.readSection). */
export function readGenericSection(r: EpeeReader, rec: number): EpeeSection {
  const count = r.beginSection(rec);
  const out: EpeeSection = new Map();
  for (let i = 0; i < count; i++) {
    const tag = r.entry(rec);
    const nest = r.nest;
    const key = r.keyString();
    if (out.has(key)) r.fail('EPEE_DUPLICATE_KEY', `duplicate key ${JSON.stringify(key)}`, { key }, r.keyPos - 1);
    out.set(key, readAnyValue(r, tag, nest));
  }
  return out;
}

function encodeError(reason: string, context: Record<string, unknown> = {}): never {
  throw new EpeeError('EPEE_ENCODE', reason, context);
}

function scalarSize(tag: number, v: EpeeScalar): number {
  const width = EPEE_FIXED_WIDTH[tag];
  switch (tag) {
    case EpeeTag.Int64:
    case EpeeTag.UInt64: {
      const ok = typeof v === 'bigint' && (tag === EpeeTag.Int64 ? BigInt.asIntN(64, v) === v : BigInt.asUintN(64, v) === v);
      if (!ok) encodeError(`value does not fit type ${tag}`, { tag });
      return 8;
    }
    case EpeeTag.Int32:
    case EpeeTag.Int16:
    case EpeeTag.Int8:
    case EpeeTag.UInt32:
    case EpeeTag.UInt16:
    case EpeeTag.UInt8: {
      const bits = width * 8;
      const signed = tag <= EpeeTag.Int8;
      const min = signed ? -(2 ** (bits - 1)) : 0;
      const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) encodeError(`value does not fit type ${tag}`, { tag });
      return width;
    }
    case EpeeTag.Double:
      if (typeof v !== 'number') encodeError('double expected');
      return 8;
    case EpeeTag.Bool:
      if (typeof v !== 'boolean') encodeError('bool expected');
      return 1;
    case EpeeTag.String:
      if (!(v instanceof Uint8Array)) encodeError('Buffer expected for a string');
      return varintSize(v.length) + v.length;
    case EpeeTag.Object:
      if (!(v instanceof Map)) encodeError('Map expected for an object');
      return genericSectionSize(v);
    default:
      return encodeError(`unknown entry type ${tag}`, { tag });
  }
}

function writeScalar(w: EpeeWriter, tag: number, v: EpeeScalar): void {
  switch (tag) {
    case EpeeTag.Int64:
      return w.i64(v as bigint);
    case EpeeTag.UInt64:
      return w.u64(v as bigint);
    case EpeeTag.Int32:
      return w.i32(v as number);
    case EpeeTag.Int16:
      return w.i16(v as number);
    case EpeeTag.Int8:
      return w.i8(v as number);
    case EpeeTag.UInt32:
      return w.u32(v as number);
    case EpeeTag.UInt16:
      return w.u16(v as number);
    case EpeeTag.UInt8:
      return w.u8(v as number);
    case EpeeTag.Double:
      return w.f64(v as number);
    case EpeeTag.Bool:
      return w.u8(v ? 1 : 0);
    case EpeeTag.String:
      return w.string(v as Buffer);
    default:
      return writeGenericSection(w, v as EpeeSection);
  }
}

function entrySize(e: EpeeEntry): number {
  if ((e.tag & 0x80) === 0) return scalarSize(e.tag, e.value as EpeeScalar);
  const elementTag = e.tag & 0x7f;
  if (e.tag > 0xff || elementTag < EpeeTag.Int64 || elementTag > EpeeTag.Object) encodeError(`bad array type ${e.tag}`, { tag: e.tag });
  if (!Array.isArray(e.value)) encodeError('array value expected', { tag: e.tag });
  const items = e.value as readonly EpeeScalar[];
  let n = varintSize(items.length);
  for (const item of items) n += scalarSize(elementTag, item);
  return n;
}

function sortedKeys(section: EpeeSection): string[] {
  // latin1 keys: UTF-16 code-unit order equals byte-wise order.
  return [...section.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

function genericSectionSize(section: EpeeSection): number {
  let n = varintSize(section.size);
  for (const [key, entry] of section) {
    if (key.length < 1 || key.length > EPEE_MAX_KEY_LENGTH || !isLatin1(key)) {
      encodeError(`key ${JSON.stringify(key)} must be 1..${EPEE_MAX_KEY_LENGTH} latin1 chars`);
    }
    n += 2 + key.length + entrySize(entry);
  }
  return n;
}

function writeGenericSection(w: EpeeWriter, section: EpeeSection): void {
  w.varint(section.size);
  for (const key of sortedKeys(section)) {
    const e = section.get(key) as EpeeEntry;
    w.u8(key.length);
    w.pos += w.buf.write(key, w.pos, 'latin1');
    w.u8(e.tag);
    if ((e.tag & 0x80) === 0) {
      writeScalar(w, e.tag, e.value as EpeeScalar);
    } else {
      const items = e.value as readonly EpeeScalar[];
      w.varint(items.length);
      for (const item of items) writeScalar(w, e.tag & 0x7f, item);
    }
  }
}

/** Schema-less object codec: any section as a Map, written with sorted keys. */
export const anySection: EpeeCodec<EpeeSection> & {
  readSection(r: EpeeReader, rec: number): EpeeSection;
} = {
  tag: EpeeTag.Object,
  zero: () => new Map(),
  isEmpty: () => false,
  equals: (a, b) => a === b,
  read(r, tag, nest) {
    if (tag !== EpeeTag.Object) r.fail('EPEE_BAD_TYPE', `expected an object, got type ${tag}`, { tag });
    r.countObject();
    return readGenericSection(r, nest);
  },
  readSection: readGenericSection,
  size: genericSectionSize,
  write: writeGenericSection,
};
