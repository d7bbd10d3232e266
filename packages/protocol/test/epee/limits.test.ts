import { expect } from 'chai';
import { decodeSection, encodeSection } from '../../src/epee/storage';
import { EpeeError } from '../../src/epee/errors';
import { EpeeTag } from '../../src/epee/tags';
import { writeVarint } from '../../src/epee/varint';
import type { EpeeEntry, EpeeSection } from '../../src/epee/generic';
import { expectTypedError } from '../fixtures/typed-error';

const HEADER = '011101010101020101';

function varint(n: number): string {
  const b = Buffer.alloc(8);
  return b.subarray(0, writeVarint(b, 0, n)).toString('hex');
}

function body(...parts: string[]): Buffer {
  return Buffer.from(HEADER + parts.join('').replace(/\s+/g, ''), 'hex');
}

function limitError(buf: Buffer, pattern: RegExp): EpeeError {
  const e = expectTypedError(() => decodeSection(buf), EpeeError, 'EPEE_LIMIT');
  expect(e.message).to.match(pattern);
  return e;
}

/** Root → key "a" → object → … with `leaf` as the section at depth `depth` (root = depth 0). */
function nestedObjects(depth: number, leaf: string): Buffer {
  let s = leaf;
  for (let i = 0; i < depth; i++) s = `04 01 61 0c ${s}`;
  return body(s);
}

/** The same nesting through one-element arrays of objects. */
function nestedArrays(depth: number, leaf: string): Buffer {
  let s = leaf;
  for (let i = 0; i < depth; i++) s = `04 01 61 8c 04 ${s}`;
  return body(s);
}

describe('epee limits (monerod P2P parse limits)', () => {
  it('8,192 objects per message', () => {
    const objects = (n: number): Buffer => body(`04 01 61 8c ${varint(n)}`, '00'.repeat(n));
    expect((decodeSection(objects(8192)).get('a')?.value as unknown[]).length).to.equal(8192);
    limitError(objects(8193), /more than 8192 objects/);
  });

  it('16,384 fields counted over all sections', () => {
    const many = (n: number): EpeeSection => new Map(Array.from({ length: n }, (_, i): [string, EpeeEntry] => [`k${i}`, { tag: EpeeTag.UInt8, value: 1 }]));
    expect(decodeSection(encodeSection(many(16384))).size).to.equal(16384);
    limitError(encodeSection(new Map([['o', { tag: EpeeTag.Object, value: many(16384) }]])), /16384-field limit/);
    const e = limitError(body(varint(16385)), /16385 entries/);
    expect(e.context.offset).to.equal(9);
  });

  it('16,384 strings, arrays and scalars together', () => {
    const strings = (n: number, extra = ''): Buffer => body(`${extra ? '08' : '04'} 01 61 8a ${varint(n)}`, '00'.repeat(n), extra, '00'.repeat(n + 4));
    expect((decodeSection(strings(16384)).get('a')?.value as unknown[]).length).to.equal(16384);
    limitError(strings(16385), /more than 16384 strings/);
    limitError(strings(16384, '01 62 0a 00'), /more than 16384 strings/);
  });

  it("recursion: emulates monerod's counter for nested objects", () => {
    expect(() => decodeSection(nestedObjects(31, '00'))).to.not.throw();
    limitError(nestedObjects(32, '00'), /recursion limit 100/);
    expect(() => decodeSection(nestedObjects(30, '04 01 62 0a 00'))).to.not.throw();
    limitError(nestedObjects(31, '04 01 62 0a 00'), /recursion/);
    expect(() => decodeSection(nestedObjects(31, '04 01 62 08 00'))).to.not.throw();
    expect(() => decodeSection(nestedObjects(29, '04 01 62 8a 04 00 00'))).to.not.throw();
    limitError(nestedObjects(30, '04 01 62 8a 04 00 00'), /recursion/);
    expect(() => decodeSection(nestedObjects(30, '04 01 62 8a 00'))).to.not.throw(); // empty array: no element read
  });

  it('recursion: arrays of objects cost more per level than object fields', () => {
    expect(() => decodeSection(nestedArrays(18, '00'))).to.not.throw();
    limitError(nestedArrays(19, '00'), /recursion/);
  });

  it('array count must fit the remaining bytes at the minimum element size', () => {
    expect(() => decodeSection(body('04 01 61 85 08', '00'.repeat(16)))).to.not.throw();
    const e = limitError(body('04 01 61 85 08', '00'.repeat(15)), /array of 2 elements cannot fit/);
    expect(e.context.offset).to.equal(13);
    limitError(body('04 01 61 8a 08 00 00'), /cannot fit/); // strings count 2 bytes each
    expect(() => decodeSection(body('04 01 61 8a 08 00 00 00 00'))).to.not.throw();
    limitError(body(`04 01 61 8a ${varint(2 ** 40)}`), /cannot fit/);
  });

  it('string length below 2,000,000,000 and within the remaining bytes', () => {
    limitError(body(`04 01 61 0a ${varint(2_000_000_000)}`), /string length 2000000000 is too big/);
    expect(() => decodeSection(body('04 01 61 0a 0c 6162'))).to.throw(EpeeError, /exceeds the 2 bytes left/);
  });

  it('limits can be tightened per call', () => {
    expect(() => decodeSection(body('04 01 61 0c 00'), { maxObjects: 0, maxFields: 10, maxStrings: 10 })).to.throw(EpeeError, /objects/);
  });
});
