import { blob, bool, double, int16, int32, int64, int8, uint16, uint32, uint64, uint8, type EpeeCodec } from './codec';
import { EpeeError } from './errors';
import { EPEE_MAX_KEY_LENGTH } from './limits';
import type { EpeeReader } from './reader';
import { EpeeTag } from './tags';
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

/** The typed codec for each scalar tag (objects: anySection, filled in below). */
const SCALAR_CODECS: EpeeCodec<EpeeScalar>[] = [];

function scalarCodec(tag: number): EpeeCodec<EpeeScalar> | undefined {
  return SCALAR_CODECS[tag];
}

function readScalar(r: EpeeReader, tag: number, nest: number): EpeeScalar {
  const codec = scalarCodec(tag);
  if (codec === undefined) return r.fail('EPEE_BAD_TYPE', `unknown entry type ${tag}`, { tag }, r.offset - 1);
  return codec.read(r, tag, nest);
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
    if (out.has(key)) r.fail('EPEE_DUPLICATE_KEY', `duplicate key ${JSON.stringify(key)}`, { key }, r.keyOffset - 1);
    out.set(key, readAnyValue(r, tag, nest));
  }
  return out;
}

function encodeError(reason: string, context: Record<string, unknown> = {}): never {
  throw new EpeeError('EPEE_ENCODE', reason, context);
}

/** The codec for an entry's scalar or element tag; throws for tags that cannot be written. */
function codecFor(e: EpeeEntry): EpeeCodec<EpeeScalar> {
  const codec = e.tag <= 0xff ? scalarCodec(e.tag & 0x7f) : undefined;
  if (codec === undefined) encodeError(`bad entry type ${e.tag}`, { tag: e.tag });
  return codec;
}

function entrySize(e: EpeeEntry): number {
  const codec = codecFor(e);
  if ((e.tag & 0x80) === 0) return codec.size(e.value as EpeeScalar);
  if (!Array.isArray(e.value)) encodeError('array value expected', { tag: e.tag });
  const items = e.value as readonly EpeeScalar[];
  let n = varintSize(items.length);
  for (const item of items) n += codec.size(item);
  return n;
}

function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

function genericSectionSize(section: EpeeSection): number {
  if (!(section instanceof Map)) encodeError('Map expected for an object');
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
  // latin1 keys: UTF-16 code-unit order equals byte-wise order.
  for (const key of [...section.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const e = section.get(key) as EpeeEntry;
    const codec = codecFor(e);
    w.u8(key.length);
    w.latin1(key);
    w.u8(e.tag);
    if ((e.tag & 0x80) === 0) {
      codec.write(w, e.value as EpeeScalar);
    } else {
      const items = e.value as readonly EpeeScalar[];
      w.varint(items.length);
      for (const item of items) codec.write(w, item);
    }
  }
}

/** Schema-less object codec: any section as a Map, written with sorted keys. */
export const anySection: EpeeCodec<EpeeSection> & {
  readSection(r: EpeeReader, rec: number): EpeeSection;
} = {
  tag: EpeeTag.Object,
  zero: () => new Map(),
  mutableZero: true,
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

for (const codec of [int64, int32, int16, int8, uint64, uint32, uint16, uint8, double, blob, bool, anySection] as EpeeCodec<unknown>[]) {
  SCALAR_CODECS[codec.tag] = codec as EpeeCodec<EpeeScalar>;
}
