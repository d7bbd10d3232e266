import { expect } from 'chai';
import { arrayOf, blob, bool, double, fixedBlob, int16, int32, int64, int8, text, uint16, uint32, uint64, uint8 } from '../../src/epee/codec';
import { decodeSection, encodeStorageParts, encodeSection } from '../../src/epee/storage';
import { encodeInvokeMessage, encodeNotifyMessage, encodeResponseMessage } from '../../src/wire/frames';
import { EpeeError } from '../../src/epee/errors';
import { EpeeTag } from '../../src/epee/tags';
import { epeeObject, field, optional } from '../../src/epee/object';
import { NewTransactions, Ping, SupportFlags } from '../../src/wire/messages';
import type { EpeeSection } from '../../src/epee/generic';
import { expectTypedError } from '../fixtures/typed-error';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const HEADER = '011101010101020101';

const epeeError = (fn: () => unknown, code: string): EpeeError => expectTypedError(fn, EpeeError, code);

describe('epee portable storage', () => {
  describe('worked examples (docs/epee.md)', () => {
    it('empty object: PING and SUPPORT_FLAGS requests', () => {
      expect(Ping.request.encode({}).toString('hex')).to.equal(`${HEADER}00`);
      expect(SupportFlags.request.encode({}).toString('hex')).to.equal(`${HEADER}00`);
      expect(decodeSection(hex(`${HEADER}00`)).size).to.equal(0);
    });

    it('complete PING invoke', () => {
      expect(encodeInvokeMessage(Ping, {}).toString('hex')).to.equal(
        '0121010101010101' + '0a00000000000000' + '01' + 'eb030000' + '00000000' + '01000000' + '01000000' + `${HEADER}00`,
      );
    });

    it('PING response body with peer_id 0x0123456789abcdef and status OK; full response header', () => {
      const body = `${HEADER} 08 07 706565725f6964 05 efcdab8967452301 06 737461747573 0a 08 4f4b`.replace(/ /g, '');
      const value = { status: 'OK', peer_id: 0x0123456789abcdefn };
      expect(Ping.response.encode(value).toString('hex')).to.equal(body);
      expect(Ping.response.decode(hex(body))).to.deep.equal(value);
      const frame = encodeResponseMessage(Ping, value);
      expect(frame.subarray(16, 33).toString('hex')).to.equal('00' + 'eb030000' + '01000000' + '02000000' + '01000000');
      expect(frame.subarray(33).toString('hex')).to.equal(body);
    });

    it('NOTIFY_NEW_TRANSACTIONS stem with one 4-byte blob; fluff omits the flag', () => {
      const stem = `${HEADER} 0c 01 5f 0a 00 11 64616e64656c696f6e70705f666c756666 0b 00 03 747873 8a 04 10 aaaaaaaa`.replace(/ /g, '');
      const tx = hex('aaaaaaaa');
      const value = { txs: [tx], _: Buffer.alloc(0), dandelionpp_fluff: false };
      expect(NewTransactions.body.encode(value).toString('hex')).to.equal(stem);
      expect(NewTransactions.body.decode(hex(stem))).to.deep.equal(value);
      const fluff = NewTransactions.body.encode({ ...value, dandelionpp_fluff: true }).toString('hex');
      expect(fluff).to.equal(`${HEADER} 08 01 5f 0a 00 03 747873 8a 04 10 aaaaaaaa`.replace(/ /g, ''));
      expect(NewTransactions.body.decode(hex(fluff)).dandelionpp_fluff).to.equal(true);
      expect(encodeNotifyMessage(NewTransactions, value).subarray(17, 21).readUInt32LE(0)).to.equal(2002);
    });
  });

  describe('type tags', () => {
    const all = new Map([
      ['i64', { tag: EpeeTag.Int64, value: -2n }],
      ['i32', { tag: EpeeTag.Int32, value: -3 }],
      ['i16', { tag: EpeeTag.Int16, value: -4 }],
      ['i8', { tag: EpeeTag.Int8, value: -5 }],
      ['u64', { tag: EpeeTag.UInt64, value: 2n ** 64n - 1n }],
      ['u32', { tag: EpeeTag.UInt32, value: 2 ** 32 - 1 }],
      ['u16', { tag: EpeeTag.UInt16, value: 65535 }],
      ['u8', { tag: EpeeTag.UInt8, value: 255 }],
      ['f', { tag: EpeeTag.Double, value: 1.5 }],
      ['s', { tag: EpeeTag.String, value: Buffer.from('hi') }],
      ['b', { tag: EpeeTag.Bool, value: true }],
      ['o', { tag: EpeeTag.Object, value: new Map([['x', { tag: EpeeTag.UInt8, value: 1 }]]) }],
      ['au64', { tag: EpeeTag.UInt64 | 0x80, value: [1n, 2n] }],
      ['as', { tag: EpeeTag.String | 0x80, value: [Buffer.from('a'), Buffer.alloc(0)] }],
      ['ao', { tag: EpeeTag.Object | 0x80, value: [new Map(), new Map()] }],
      ['ab', { tag: EpeeTag.Bool | 0x80, value: [true, false] }],
    ]) as EpeeSection;

    it('round-trips every tag and array form through the schema-less codec', () => {
      const bytes = encodeSection(all);
      expect(decodeSection(bytes)).to.deep.equal(all);
      expect(encodeSection(decodeSection(bytes)).equals(bytes)).to.equal(true);
    });

    it('writes keys in byte-wise sorted order', () => {
      const s = decodeSection(encodeSection(all));
      expect([...s.keys()]).to.deep.equal([...all.keys()].sort());
      const schemaOrder = epeeObject<{ z: number; A: number; a: number }>({ z: field(uint8), A: field(uint8), a: field(uint8) });
      expect(schemaOrder.encode({ z: 1, A: 2, a: 3 }).toString('hex')).to.equal(`${HEADER}0c 01 41 08 02 01 61 08 03 01 7a 08 01`.replace(/ /g, ''));
    });

    it('writes exact fixed-width tags from schemas', () => {
      const codec = epeeObject({
        a: field(int64),
        b: field(int32),
        c: field(int16),
        d: field(int8),
        e: field(uint64),
        f: field(uint32),
        g: field(uint16),
        h: field(uint8),
        i: field(double),
        j: field(bool),
      });
      const value = { a: -1n, b: -1, c: -1, d: -1, e: 1n, f: 1, g: 1, h: 1, i: -0.25, j: false };
      const raw = decodeSection(codec.encode(value));
      expect([...raw.values()].map((e) => e.tag)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 11]);
      expect(codec.decode(codec.encode(value))).to.deep.equal(value);
    });

    it('reads the tag-13 array form (standalone array tag + flagged element type)', () => {
      const body = hex(`${HEADER} 04 01 61 0d 8a 04 08 4f4b`);
      expect(decodeSection(body).get('a')).to.deep.equal({ tag: 0x8a, value: [Buffer.from('OK')] });
      expect(epeeObject<{ a: string[] }>({ a: field(arrayOf(text)) }).decode(body)).to.deep.equal({ a: ['OK'] });
      const bad = epeeError(() => decodeSection(hex(`${HEADER} 04 01 61 0d 0a 08 4f4b`)), 'EPEE_BAD_TYPE');
      expect(bad.context.offset).to.equal(12);
    });

    it('reads an empty array of arrays (as monerod does) but rejects a non-empty one', () => {
      expect(decodeSection(hex(`${HEADER} 04 01 61 8d 00`)).get('a')).to.deep.equal({ tag: 0x8d, value: [] });
      epeeError(() => decodeSection(hex(`${HEADER} 04 01 61 8d 04 8a 00`)), 'EPEE_BAD_TYPE');
    });

    it('rejects unknown type tags and bool bytes other than 0/1', () => {
      epeeError(() => decodeSection(hex(`${HEADER} 04 01 61 0e 00`)), 'EPEE_BAD_TYPE');
      epeeError(() => decodeSection(hex(`${HEADER} 04 01 61 00 00`)), 'EPEE_BAD_TYPE');
      epeeError(() => decodeSection(hex(`${HEADER} 04 01 61 8e 00`)), 'EPEE_BAD_TYPE');
      const e = epeeError(() => decodeSection(hex(`${HEADER} 04 01 61 0b 02`)), 'EPEE_BAD_VALUE');
      expect(e.context.offset).to.equal(13);
    });
  });

  describe('schemas', () => {
    const schema = epeeObject<{ n: bigint; small: number; opt: number; list: Buffer[]; id: Buffer }>({
      n: field(uint64),
      small: field(uint8),
      opt: optional(uint32, 7),
      list: field(arrayOf(blob)),
      id: field(fixedBlob(4)),
    });

    it('omits optional fields equal to their default and empty arrays; defaults them when absent', () => {
      const value = { n: 1n, small: 2, opt: 7, list: [], id: Buffer.from('abcd') };
      const bytes = schema.encode(value);
      expect([...decodeSection(bytes).keys()]).to.deep.equal(['id', 'n', 'small']);
      expect(schema.decode(bytes)).to.deep.equal(value);
      expect(schema.decode(hex(`${HEADER}00`))).to.deep.equal({ n: 0n, small: 0, opt: 7, list: [], id: Buffer.alloc(4) });
      expect([...decodeSection(schema.encode({ ...value, opt: 0 })).keys()]).to.include('opt');
    });

    it('reads any integer tag into any integer field when the value fits', () => {
      const lenient = (entries: string): { n: bigint; small: number } => schema.decode(hex(`${HEADER} 08 ${entries}`));
      expect(lenient('01 6e 08 05 05 73 6d616c6c 05 0300000000000000')).to.include({ n: 5n, small: 3 });
      const tooBig = epeeError(() => lenient('01 6e 08 05 05 73 6d616c6c 06 00010000'), 'EPEE_BAD_VALUE');
      expect(tooBig.message).to.contain('256 does not fit in uint8');
      epeeError(() => lenient('01 6e 01 ffffffffffffffff 05 73 6d616c6c 08 00'), 'EPEE_BAD_VALUE');
      epeeError(() => lenient('01 6e 09 0000000000000000 05 73 6d616c6c 08 00'), 'EPEE_BAD_TYPE');
      epeeError(() => lenient('01 6e 0b 01 05 73 6d616c6c 08 00'), 'EPEE_BAD_TYPE');
    });

    it('rejects a POD blob of the wrong size', () => {
      epeeError(() => schema.decode(hex(`${HEADER} 04 02 6964 0a 0c 616263`)), 'EPEE_BAD_VALUE');
    });

    it('rejects duplicate keys, known or unknown, with the key offset', () => {
      const known = epeeError(() => schema.decode(hex(`${HEADER} 08 01 6e 05 0100000000000000 01 6e 05 0100000000000000`)), 'EPEE_DUPLICATE_KEY');
      expect(known.context).to.include({ key: 'n', offset: 21 });
      epeeError(() => schema.decode(hex(`${HEADER} 08 01 78 08 01 01 78 08 02`)), 'EPEE_DUPLICATE_KEY');
      epeeError(() => decodeSection(hex(`${HEADER} 08 01 78 08 01 01 78 08 02`)), 'EPEE_DUPLICATE_KEY');
    });

    it('reads and drops unknown fields', () => {
      expect(schema.decode(hex(`${HEADER} 08 01 78 0a 08 4f4b 01 6e 05 0900000000000000`)).n).to.equal(9n);
    });

    it('ignores bytes after the root section', () => {
      expect(decodeSection(hex(`${HEADER} 04 01 61 08 07 deadbeef 00 00`)).get('a')).to.deep.equal({ tag: EpeeTag.UInt8, value: 7 });
    });

    it('decodes strings as zero-copy views', () => {
      const bytes = NewTransactions.body.encode({ txs: [Buffer.from('tx-one'), Buffer.from('tx-two')], _: Buffer.alloc(0), dandelionpp_fluff: true });
      const n = NewTransactions.body.decode(bytes);
      expect(n.txs[0].buffer).to.equal(bytes.buffer);
      expect(Buffer.isBuffer(n.txs[0])).to.equal(true);
      expect(n.txs[0]).to.be.instanceOf(Buffer);
      expect(n.txs[0].constructor).to.equal(Buffer);
      expect(n.txs[0].toString('latin1')).to.equal('tx-one');
      expect(Buffer.isBuffer(n.txs[0].subarray(1))).to.equal(true);
      expect(n.txs[1].byteOffset).to.be.greaterThan(bytes.byteOffset);
      bytes[bytes.length - 1] = 0x21;
      expect(n.txs[1].toString()).to.equal('tx-tw!');
    });

    it('refuses to encode values that do not fit, naming the field problem', () => {
      const u16 = epeeObject<{ p: number }>({ p: field(uint16) });
      expect(() => u16.encode({ p: 70000 })).to.throw(EpeeError, /70000 is not a uint16/);
      expect(() => u16.encode({ p: 1.5 })).to.throw(EpeeError);
      expect(() => u16.encode({} as { p: number })).to.throw(EpeeError, /"p" is missing/);
      expect(() => schema.encode({ n: -1n, small: 0, opt: 0, list: [], id: Buffer.alloc(4) })).to.throw(EpeeError);
      expect(() => schema.encode({ n: 0n, small: 0, opt: 0, list: [], id: Buffer.alloc(3) })).to.throw(EpeeError, /4 bytes/);
      expect(() => epeeObject<{ t: string }>({ t: field(text) }).encode({ t: '\u0100' })).to.throw(EpeeError, /latin1/);
      expect(() => encodeSection(new Map([['', { tag: EpeeTag.UInt8, value: 1 }]]))).to.throw(EpeeError, /key/);
      expect(() => encodeSection(new Map([['k'.repeat(255), { tag: EpeeTag.UInt8, value: 1 }]]))).to.throw(EpeeError, /key/);
      expect(() => encodeSection(new Map([['k', { tag: 0x80, value: [] }]]))).to.throw(EpeeError, /bad entry type 128/);
    });
  });

  describe('header and truncation', () => {
    it('rejects a wrong signature or version with the byte offset', () => {
      const e = epeeError(() => decodeSection(hex('011101010101020102 00')), 'EPEE_BAD_HEADER');
      expect(e.context.offset).to.equal(8);
      epeeError(() => decodeSection(hex('0111010101')), 'EPEE_TRUNCATED');
      epeeError(() => decodeSection(hex(HEADER)), 'EPEE_TRUNCATED');
    });

    it('every strict prefix of a canonical body fails with a typed error', () => {
      const body = Ping.response.encode({ status: 'OK', peer_id: 5n });
      for (let n = 0; n < body.length; n++) expect(() => Ping.response.decode(body.subarray(0, n)), `prefix ${n}`).to.throw(EpeeError);
    });

    it('rejects an empty key and a key running past the end', () => {
      epeeError(() => decodeSection(hex(`${HEADER} 04 00 08 01`)), 'EPEE_BAD_VALUE');
      epeeError(() => decodeSection(hex(`${HEADER} 04 09 6162`)), 'EPEE_TRUNCATED');
    });
  });
});

describe('gathering encoder', () => {
  it('references long strings (Uint8Array too) and leaves headroom in the first part', () => {
    const blobValue = new Uint8Array(300).fill(5);
    const codec = epeeObject<{ a: Buffer; b: number }>({ a: field(blob), b: field(uint8) });
    const value = { a: blobValue as Buffer, b: 9 };
    const { parts, size } = encodeStorageParts(codec, value, 33, 256);
    expect(parts[0].subarray(0, 33).every((x) => x === 0)).to.equal(true);
    expect(Buffer.concat(parts).subarray(33).equals(codec.encode(value))).to.equal(true);
    expect(size).to.equal(codec.encode(value).length);
    const ref = parts.find((p) => p.length === 300);
    expect(ref?.buffer).to.equal(blobValue.buffer);
    expect(Buffer.isBuffer(ref)).to.equal(true);
  });
});
