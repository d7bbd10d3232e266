import { EpeeError } from './errors';
import type { EpeeReader } from './reader';
import { EPEE_FIXED_WIDTH, EpeeTag } from './tags';
import { varintSize } from './varint';
import type { EpeeWriter } from './writer';

/**
 * Reads and writes one kind of value with an exact portable-storage tag. Message schemas are
 * built from these (see `epeeObject`), so encoding always uses monerod's tags while decoding is
 * as lenient as monerod (any integer tag into any integer field when the value fits).
 */
export interface EpeeCodec<T> {
  /** Tag written for this value; element tag | 0x80 for arrays. */
  readonly tag: number;
  /** Value a reader substitutes when the field is absent (monerod leaves it zero/empty). */
  zero(): T;
  /** zero() returns a fresh mutable value (array, object) that must not be shared between results. */
  readonly mutableZero?: boolean;
  /** True for an empty container, which writers omit (docs/epee.md). */
  isEmpty(value: T): boolean;
  equals(a: T, b: T): boolean;
  /**
   * Reads a value of wire type `tag` at `r.pos`. `nest` is the monerod recursion counter a
   * nested section (or, for arrays, the array reader) runs at.
   */
  read(r: EpeeReader, tag: number, nest: number): T;
  /** Encoded payload size (tag byte excluded). Validates the value: throws EpeeError if unencodable. */
  size(value: T): number;
  /** Writes the payload; only called after `size()` accepted the value. */
  write(w: EpeeWriter, value: T): void;
}

const never = (): boolean => false;
const same = <T>(a: T, b: T): boolean => a === b;

function badType(r: EpeeReader, expected: string, tag: number): never {
  return r.fail('EPEE_BAD_TYPE', `expected ${expected}, got type ${tag}`, { tag });
}

function encodeError(reason: string, value: unknown): never {
  throw new EpeeError('EPEE_ENCODE', reason, { value: typeof value === 'bigint' ? value.toString() : value });
}

/** Reads any integer tag as number (32-bit and smaller) or bigint (64-bit). */
function readAnyInteger(r: EpeeReader, tag: number, expected: string): number | bigint {
  switch (tag) {
    case EpeeTag.Int64:
      return r.i64();
    case EpeeTag.UInt64:
      return r.u64();
    case EpeeTag.Int32:
      return r.i32();
    case EpeeTag.UInt32:
      return r.u32();
    case EpeeTag.Int16:
      return r.i16();
    case EpeeTag.UInt16:
      return r.u16();
    case EpeeTag.Int8:
      return r.i8();
    case EpeeTag.UInt8:
      return r.u8();
    default:
      return badType(r, expected, tag);
  }
}

/**
 * A fixed-width integer as number (≤ 32 bits) or bigint (64 bits). Reads accept any integer tag
 * whose value fits; writes use `tag`.
 */
function integerCodec<T extends number | bigint>(
  name: string,
  tag: number,
  min: T,
  max: T,
  zero: T,
  convert: (v: number | bigint) => T,
  isValue: (v: unknown) => boolean,
  readExact: (r: EpeeReader) => T,
  writeExact: (w: EpeeWriter, v: T) => void,
): EpeeCodec<T> {
  const width = EPEE_FIXED_WIDTH[tag];
  return {
    tag,
    zero: () => zero,
    isEmpty: never,
    equals: same,
    read(r, t) {
      if (t === tag) return readExact(r);
      const at = r.offset;
      const v = convert(readAnyInteger(r, t, name));
      if (v < min || v > max) r.fail('EPEE_BAD_VALUE', `${v} does not fit in ${name}`, {}, at);
      return v;
    },
    size(v) {
      if (!isValue(v) || v < min || v > max) encodeError(`${String(v)} is not a ${name}`, v);
      return width;
    },
    write: writeExact,
  };
}

const isBigint = (v: unknown): boolean => typeof v === 'bigint';
const bigintCodec = (name: string, tag: number, min: bigint, max: bigint, rd: (r: EpeeReader) => bigint, wr: (w: EpeeWriter, v: bigint) => void) =>
  integerCodec<bigint>(name, tag, min, max, 0n, BigInt, isBigint, rd, wr);
const numberCodec = (name: string, tag: number, min: number, max: number, rd: (r: EpeeReader) => number, wr: (w: EpeeWriter, v: number) => void) =>
  integerCodec<number>(name, tag, min, max, 0, Number, Number.isInteger, rd, wr);

export const int64 = bigintCodec('int64', EpeeTag.Int64, -(2n ** 63n), 2n ** 63n - 1n, (r) => r.i64(), (w, v) => w.i64(v));
export const uint64 = bigintCodec('uint64', EpeeTag.UInt64, 0n, 2n ** 64n - 1n, (r) => r.u64(), (w, v) => w.u64(v));
export const int32 = numberCodec('int32', EpeeTag.Int32, -(2 ** 31), 2 ** 31 - 1, (r) => r.i32(), (w, v) => w.i32(v));
export const uint32 = numberCodec('uint32', EpeeTag.UInt32, 0, 2 ** 32 - 1, (r) => r.u32(), (w, v) => w.u32(v));
export const int16 = numberCodec('int16', EpeeTag.Int16, -(2 ** 15), 2 ** 15 - 1, (r) => r.i16(), (w, v) => w.i16(v));
export const uint16 = numberCodec('uint16', EpeeTag.UInt16, 0, 2 ** 16 - 1, (r) => r.u16(), (w, v) => w.u16(v));
export const int8 = numberCodec('int8', EpeeTag.Int8, -128, 127, (r) => r.i8(), (w, v) => w.i8(v));
export const uint8 = numberCodec('uint8', EpeeTag.UInt8, 0, 255, (r) => r.u8(), (w, v) => w.u8(v));

export const double: EpeeCodec<number> = {
  tag: EpeeTag.Double,
  zero: () => 0,
  isEmpty: never,
  equals: Object.is,
  read: (r, t) => (t === EpeeTag.Double ? r.f64() : badType(r, 'double', t)),
  size(v) {
    if (typeof v !== 'number') encodeError('not a double', v);
    return 8;
  },
  write: (w, v) => w.f64(v),
};

export const bool: EpeeCodec<boolean> = {
  tag: EpeeTag.Bool,
  zero: () => false,
  isEmpty: never,
  equals: same,
  read: (r, t) => (t === EpeeTag.Bool ? r.bool() : badType(r, 'bool', t)),
  size(v) {
    if (typeof v !== 'boolean') encodeError('not a bool', v);
    return 1;
  },
  write: (w, v) => w.u8(v ? 1 : 0),
};

const EMPTY = Buffer.alloc(0);

/** A string value as raw bytes; decoded as a zero-copy view into the message. */
export const blob: EpeeCodec<Buffer> = {
  tag: EpeeTag.String,
  zero: () => EMPTY,
  isEmpty: never,
  equals: (a, b) => a.equals(b),
  read: (r, t) => (t === EpeeTag.String ? r.string() : badType(r, 'string', t)),
  size(v) {
    if (!(v instanceof Uint8Array)) encodeError('not a byte buffer', typeof v);
    return varintSize(v.length) + v.length;
  },
  write: (w, v) => w.string(v),
};

/** A fixed-size POD sent as a string of exactly `length` bytes (hashes, UUIDs; docs/epee.md). */
export function fixedBlob(length: number): EpeeCodec<Buffer> {
  const zero = Buffer.alloc(length);
  return {
    tag: EpeeTag.String,
    zero: () => zero,
    isEmpty: never,
    equals: (a, b) => a.equals(b),
    read(r, t) {
      if (t !== EpeeTag.String) badType(r, 'string', t);
      const at = r.offset;
      const v = r.string();
      if (v.length !== length) r.fail('EPEE_BAD_VALUE', `blob of ${length} bytes expected, got ${v.length}`, {}, at);
      return v;
    },
    size(v) {
      if (!(v instanceof Uint8Array) || v.length !== length) {
        encodeError(`blob of ${length} bytes expected`, v instanceof Uint8Array ? v.length : typeof v);
      }
      return varintSize(length) + length;
    },
    write: (w, v) => w.string(v),
  };
}

/** A string value as text, one char per byte (latin1), so any bytes round-trip exactly. */
export const text: EpeeCodec<string> = {
  tag: EpeeTag.String,
  zero: () => '',
  isEmpty: never,
  equals: same,
  read: (r, t) => (t === EpeeTag.String ? r.string().toString('latin1') : badType(r, 'string', t)),
  size(v) {
    if (typeof v !== 'string') encodeError('not a string', typeof v);
    for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0xff) encodeError('text must be latin1 (chars 0..255)', v);
    return varintSize(v.length) + v.length;
  },
  write(w, v) {
    w.varint(v.length);
    w.latin1(v);
  },
};

/** An array of `element` values (written with the flagged element tag; omitted when empty). */
export function arrayOf<T>(element: EpeeCodec<T>): EpeeCodec<T[]> {
  if ((element.tag & 0x80) !== 0) throw new EpeeError('EPEE_SCHEMA', 'arrays of arrays are not supported by monerod');
  const tag = element.tag | 0x80;
  return {
    tag,
    zero: () => [],
    mutableZero: true,
    isEmpty: (v) => v.length === 0,
    equals: (a, b) => a.length === b.length && a.every((x, i) => element.equals(x, b[i])),
    read(r, t, arrayLevel) {
      if ((t & 0x80) === 0) badType(r, 'an array', t);
      const elementTag = t & 0x7f;
      const count = r.beginArray(elementTag, arrayLevel);
      const out: T[] = new Array<T>(count);
      for (let i = 0; i < count; i++) out[i] = element.read(r, elementTag, arrayLevel + 3);
      return out;
    },
    size(v) {
      if (!Array.isArray(v)) encodeError('not an array', typeof v);
      let n = varintSize(v.length);
      for (let i = 0; i < v.length; i++) n += element.size(v[i]);
      return n;
    },
    write(w, v) {
      w.varint(v.length);
      for (let i = 0; i < v.length; i++) element.write(w, v[i]);
    },
  };
}
