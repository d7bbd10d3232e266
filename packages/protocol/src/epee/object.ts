import type { EpeeCodec } from './codec';
import { EpeeError } from './errors';
import { readAnyValue } from './generic';
import { EPEE_MAX_KEY_LENGTH, EPEE_P2P_LIMITS, type EpeeLimits } from './limits';
import type { EpeeReader } from './reader';
import { decodeStorage, encodeStorage, type EpeeInput } from './storage';
import { EpeeTag } from './tags';
import { varintSize } from './varint';
import type { EpeeWriter } from './writer';

/** How one field of an object schema is written and defaulted. */
export interface FieldSpec<T> {
  readonly codec: EpeeCodec<T>;
  /** Present: KV_SERIALIZE_OPT — omitted when equal to this value, which is also the default when absent. */
  readonly optionalDefault?: T;
  readonly optional: boolean;
}

/** A field that is always written (empty containers excepted) and read as the codec's zero if absent. */
export function field<T>(codec: EpeeCodec<T>): FieldSpec<T> {
  return { codec, optional: false };
}

/** KV_SERIALIZE_OPT(field, default): omitted when equal to `dflt`, read as `dflt` when absent. */
export function optional<T>(codec: EpeeCodec<T>, dflt: T): FieldSpec<T> {
  return { codec, optional: true, optionalDefault: dflt };
}

/** Maps every property of T to the field spec that encodes it; the key is the wire key. */
export type EpeeSchema<T> = { readonly [K in keyof T]-?: FieldSpec<T[K]> };

interface CompiledField {
  readonly name: string;
  readonly key: Uint8Array;
  readonly spec: FieldSpec<unknown>;
  readonly codec: EpeeCodec<unknown>;
  readonly bit: number;
}

const MAX_SCHEMA_FIELDS = 30; // one bit per field for duplicate detection; count fits a 1-byte varint

/**
 * An epee section with a fixed set of typed fields. Writes keys in byte-wise sorted order (as
 * monerod's std::map does), reads keys in any order, rejects duplicate keys, and reads (and
 * validates, then drops) fields it does not know.
 */
export class ObjectCodec<T extends object> implements EpeeCodec<T> {
  readonly tag = EpeeTag.Object;
  readonly mutableZero = true;
  private readonly declared: readonly CompiledField[];
  private readonly sorted: readonly CompiledField[];
  /** Fields by key length (index 1..255), for matching keys without building strings. */
  private readonly byLength: readonly (readonly CompiledField[] | undefined)[];
  /** Every field with its immutable default; results start as a shallow copy (one fast clone). */
  private readonly template: Readonly<Record<string, unknown>>;
  /** Fields whose default must be created per result (arrays, objects) when absent. */
  private readonly freshDefaults: readonly CompiledField[];
  private readonly freshMask: number;

  constructor(schema: EpeeSchema<T>) {
    const names = Object.keys(schema);
    if (names.length > MAX_SCHEMA_FIELDS) throw new EpeeError('EPEE_SCHEMA', `schema has more than ${MAX_SCHEMA_FIELDS} fields`);
    this.declared = names.map((name, i) => {
      const key = new Uint8Array(Buffer.from(name, 'latin1'));
      if (key.length < 1 || key.length > EPEE_MAX_KEY_LENGTH) throw new EpeeError('EPEE_SCHEMA', `bad key length for ${JSON.stringify(name)}`);
      const spec = (schema as Record<string, FieldSpec<unknown>>)[name];
      return { name, key, spec, codec: spec.codec, bit: 1 << i };
    });
    this.sorted = [...this.declared].sort((a, b) => Buffer.compare(a.key, b.key));
    const byLength: CompiledField[][] = Array.from({ length: 256 }, () => []);
    for (const f of this.declared) byLength[f.key.length].push(f);
    this.byLength = byLength.map((list) => (list.length > 0 ? list : undefined));
    const template: Record<string, unknown> = {};
    for (const f of this.declared) {
      template[f.name] = f.spec.optional ? f.spec.optionalDefault : f.codec.mutableZero ? undefined : f.codec.zero();
    }
    this.template = template;
    this.freshDefaults = this.declared.filter((f) => !f.spec.optional && f.codec.mutableZero === true);
    this.freshMask = this.freshDefaults.reduce((m, f) => m | f.bit, 0);
  }

  /** Decodes a whole portable-storage blob (header + this object as root). */
  decode(storage: EpeeInput, limits: EpeeLimits = EPEE_P2P_LIMITS): T {
    return decodeStorage(this, storage, limits);
  }

  /** Encodes `value` as a whole portable-storage blob. */
  encode(value: T): Buffer {
    return encodeStorage(this, value);
  }

  zero(): T {
    const out: Record<string, unknown> = { ...this.template };
    for (const f of this.freshDefaults) out[f.name] = f.codec.zero();
    return out as T;
  }

  isEmpty(): boolean {
    return false;
  }

  equals(a: T, b: T): boolean {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return this.declared.every((f) => f.codec.equals(ra[f.name], rb[f.name]));
  }

  read(r: EpeeReader, tag: number, nest: number): T {
    if (tag !== EpeeTag.Object) r.fail('EPEE_BAD_TYPE', `expected an object, got type ${tag}`, { tag });
    r.countObject();
    return this.readSection(r, nest);
  }

  /** Reads a bare section (the root, or an object value) whose reader runs at monerod counter `rec`. */
  readSection(r: EpeeReader, rec: number): T {
    const count = r.beginSection(rec);
    const out: Record<string, unknown> = { ...this.template };
    let seen = 0;
    let unknown: Set<string> | undefined;
    for (let i = 0; i < count; i++) {
      const tag = r.entry(rec);
      const nest = r.nest;
      const f = this.match(r.keyBytes, r.keyPos, r.keyLen);
      if (f !== undefined) {
        if ((seen & f.bit) !== 0) r.fail('EPEE_DUPLICATE_KEY', `duplicate key ${JSON.stringify(f.name)}`, { key: f.name }, r.keyOffset - 1);
        seen |= f.bit;
        out[f.name] = f.codec.read(r, tag, nest);
      } else {
        const key = r.keyString();
        unknown ??= new Set();
        if (unknown.has(key)) r.fail('EPEE_DUPLICATE_KEY', `duplicate key ${JSON.stringify(key)}`, { key }, r.keyOffset - 1);
        unknown.add(key);
        readAnyValue(r, tag, nest);
      }
    }
    if ((this.freshMask & ~seen) !== 0) {
      for (const f of this.freshDefaults) if ((seen & f.bit) === 0) out[f.name] = f.codec.zero();
    }
    return out as T;
  }

  private match(buf: Uint8Array, pos: number, len: number): CompiledField | undefined {
    const candidates = this.byLength[len];
    if (candidates === undefined) return undefined;
    for (let c = 0; c < candidates.length; c++) {
      const key = candidates[c].key;
      let j = 0;
      while (j < len && buf[pos + j] === key[j]) j++;
      if (j === len) return candidates[c];
    }
    return undefined;
  }

  private written(f: CompiledField, v: unknown): boolean {
    if (f.spec.optional) return !f.codec.equals(v, f.spec.optionalDefault);
    return !f.codec.isEmpty(v);
  }

  size(value: T): number {
    const v = value as Record<string, unknown>;
    if (typeof v !== 'object' || v === null) throw new EpeeError('EPEE_ENCODE', 'not an object');
    let n = 0;
    let count = 0;
    for (const f of this.sorted) {
      const x = v[f.name];
      if (x === undefined) throw new EpeeError('EPEE_ENCODE', `field ${JSON.stringify(f.name)} is missing`, { key: f.name });
      if (!this.written(f, x)) continue;
      count++;
      n += 2 + f.key.length + f.codec.size(x);
    }
    return varintSize(count) + n;
  }

  write(w: EpeeWriter, value: T): void {
    const v = value as Record<string, unknown>;
    // ≤ 30 fields: the count always fits a 1-byte varint, patched once the entries are written.
    const countAt = w.placeholder();
    let count = 0;
    for (const f of this.sorted) {
      const x = v[f.name];
      if (!this.written(f, x)) continue;
      count++;
      w.u8(f.key.length);
      w.bytes(f.key);
      w.u8(f.codec.tag);
      f.codec.write(w, x);
    }
    w.patch(countAt, count << 2);
  }
}

/** Builds an object codec from a schema: `epeeObject<Ping>({ status: field(text), ... })`. */
export function epeeObject<T extends object>(schema: EpeeSchema<T>): ObjectCodec<T> {
  return new ObjectCodec(schema);
}
