import { expect } from 'chai';
import { commandSizeCap, LEVIN_HEADER_SIZE, LevinFlags, LevinReturnCode } from '../../src/levin/constants';
import { decodeLevinHeader, encodeLevinHeader, isSpecialFrame, readLevinHeader } from '../../src/levin/header';
import { encodeFrame, encodeInvoke, encodeNotify, encodeResponse } from '../../src/levin/frame';
import { LevinError } from '../../src/levin/errors';

describe('levin header', () => {
  it('encodes the 33-byte little-endian bucket header', () => {
    const h = encodeLevinHeader({ command: 1001, cb: 0x0102, expectsResponse: true, returnCode: -6, flags: LevinFlags.Request });
    expect(h.length).to.equal(LEVIN_HEADER_SIZE);
    expect(h.toString('hex')).to.equal(['0121010101010101', '0201000000000000', '01', 'e9030000', 'faffffff', '01000000', '01000000'].join(''));
    expect(decodeLevinHeader(h)).to.deep.equal({ cb: 0x0102, expectsResponse: true, command: 1001, returnCode: -6, flags: 1, protocolVersion: 1 });
  });

  it('reads 64-bit cb values; ones beyond 2^53 become Infinity', () => {
    const h = encodeLevinHeader({ command: 0, cb: 2 ** 40 + 5, flags: 0 });
    expect(readLevinHeader(h).cb).to.equal(2 ** 40 + 5);
    h.writeUInt32LE(0xffffffff, 12);
    expect(readLevinHeader(h).cb).to.equal(Infinity);
  });

  it('rejects a bad signature and short input with typed errors', () => {
    const h = encodeLevinHeader({ command: 1, cb: 0, flags: 1 });
    h[1] = 0x22;
    expect(() => decodeLevinHeader(h)).to.throw(LevinError).with.property('code', 'LEVIN_BAD_SIGNATURE');
    expect(() => readLevinHeader(h.subarray(0, 32))).to.throw(LevinError).with.property('code', 'LEVIN_TRUNCATED');
  });

  it('refuses unencodable header fields', () => {
    expect(() => encodeLevinHeader({ command: -1, cb: 0, flags: 1 })).to.throw(LevinError, /uint32/);
    expect(() => encodeLevinHeader({ command: 1, cb: -1, flags: 1 })).to.throw(LevinError, /body length/);
    expect(() => encodeLevinHeader({ command: 1, cb: 0, flags: 1, returnCode: 2 ** 31 })).to.throw(LevinError, /int32/);
  });

  it('builds invokes, notifications and responses (responses default to return code 1)', () => {
    const body = Buffer.from('01110101010102010100', 'hex');
    const inv = decodeLevinHeader(encodeInvoke(1003, body));
    expect([inv.expectsResponse, inv.flags, inv.returnCode, inv.cb]).to.deep.equal([true, LevinFlags.Request, 0, body.length]);
    const note = decodeLevinHeader(encodeNotify(2002, body));
    expect([note.expectsResponse, note.flags]).to.deep.equal([false, LevinFlags.Request]);
    const res = decodeLevinHeader(encodeResponse(1003, body));
    expect([res.expectsResponse, res.flags, res.returnCode]).to.deep.equal([false, LevinFlags.Response, LevinReturnCode.Success]);
    expect(LevinReturnCode.Success).to.equal(1);
    expect(encodeFrame({ command: 7, body }).subarray(LEVIN_HEADER_SIZE).equals(body)).to.equal(true);
  });

  it('classifies noise/fragments and knows the per-command caps', () => {
    expect([0, 4, 8, 12].every(isSpecialFrame)).to.equal(true);
    expect([1, 2, 3, 5, 14].some(isSpecialFrame)).to.equal(false);
    expect(commandSizeCap(1001)).to.equal(65536);
    expect(commandSizeCap(1003)).to.equal(4096);
    expect(commandSizeCap(2002)).to.equal(128 * 1024 * 1024);
    expect(commandSizeCap(0)).to.equal(Infinity);
  });
});
