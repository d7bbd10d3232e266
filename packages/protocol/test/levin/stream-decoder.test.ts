import { expect } from 'chai';
import { encodeFrame, encodeInvoke, encodeNotify, encodeResponse } from '../../src/levin/frame';
import { encodeLevinHeader } from '../../src/levin/header';
import { LEVIN_DEFAULT_MAX_PACKET_SIZE, LEVIN_INITIAL_MAX_PACKET_SIZE, LevinFlags } from '../../src/levin/constants';
import { LevinError } from '../../src/levin/errors';
import { LevinStreamDecoder } from '../../src/levin/stream-decoder';
import { makeNoiseFrame, packForNoise } from '../../src/levin/noise';
import { ReceiveBudget } from '../../src/levin/receive-budget';
import type { LevinMessage } from '../../src/levin/message';
import { expectTypedError } from '../fixtures/typed-error';

const levinError = (fn: () => unknown, code: string): LevinError => expectTypedError(fn, LevinError, code);

const body = (n: number, fill = 7): Buffer => Buffer.alloc(n, fill);

/** A fragment slot carrying `payload` (cb = payload length). */
const fragment = (flags: number, payload: Buffer): Buffer => encodeFrame({ command: 0, body: payload, flags });

describe('LevinStreamDecoder', () => {
  it('emits back-to-back messages fed in one chunk or byte by byte', () => {
    const stream = Buffer.concat([encodeInvoke(1001, body(40)), makeNoiseFrame(200), encodeResponse(1003, body(10), -6), encodeNotify(2002, body(0))]);
    const whole = new LevinStreamDecoder().push(stream);
    const d = new LevinStreamDecoder();
    const bytewise: LevinMessage[] = [];
    for (let i = 0; i < stream.length; i++) bytewise.push(...d.push(stream.subarray(i, i + 1)));
    for (const out of [whole, bytewise]) {
      expect(out.map((m) => [m.command, m.isRequest, m.expectsResponse, m.isResponse, m.returnCode, m.body.length])).to.deep.equal([
        [1001, true, true, false, 0, 40],
        [1003, false, false, true, -6, 10],
        [2002, true, false, false, 0, 0],
      ]);
    }
    expect(d.bufferedBytes).to.equal(0);
  });

  it('returns bodies as views of the pushed chunk when they lie inside it', () => {
    const chunk = encodeNotify(2002, body(100));
    const [m] = new LevinStreamDecoder().push(chunk);
    expect(m.body.buffer).to.equal(chunk.buffer);
    expect(m.body.byteOffset).to.equal(chunk.byteOffset + 33);
  });

  it('returns a body spread over chunks as views of those chunks, joined only when asked for', () => {
    const frame = encodeNotify(2002, body(5000));
    const chunks = [frame.subarray(0, 1000), frame.subarray(1000, 3000), frame.subarray(3000)].map((c) => {
      const own = Buffer.alloc(c.length); // separate memory per chunk, as a socket delivers it
      c.copy(own);
      return own;
    });
    const d = new LevinStreamDecoder();
    expect(d.push(chunks[0])).to.deep.equal([]);
    expect(d.push(chunks[1])).to.deep.equal([]);
    const [m] = d.push(chunks[2]);
    expect(m.segments.map((s) => s.buffer)).to.deep.equal(chunks.map((c) => c.buffer));
    expect(m.segments.map((s) => s.length)).to.deep.equal([1000 - 33, 2000, frame.length - 3000]);
    expect(m.body.equals(frame.subarray(33))).to.equal(true);
    expect(d.bufferedBytes).to.equal(0);
  });

  it('joins a body that trickled in as many small chunks into one buffer', () => {
    const frame = encodeNotify(2002, body(5000, 9));
    const d = new LevinStreamDecoder();
    const out: LevinMessage[] = [];
    for (let i = 0; i < frame.length; i += 100) out.push(...d.push(frame.subarray(i, i + 100)));
    expect(out).to.have.length(1);
    expect(out[0].segments).to.have.length(1);
    expect(out[0].segments[0].equals(frame.subarray(33))).to.equal(true);
  });

  it('checks the signature as soon as 8 bytes are buffered', () => {
    const bad = encodeInvoke(1001, body(4));
    bad[7] = 0;
    const d = new LevinStreamDecoder();
    expect(d.push(bad.subarray(0, 4))).to.deep.equal([]);
    expect(d.push(bad.subarray(4, 7))).to.deep.equal([]);
    levinError(() => d.push(bad.subarray(7, 8)), 'LEVIN_BAD_SIGNATURE');
  });

  it('checks cb against the packet limit before buffering any body byte; the limit can be raised after the handshake', () => {
    const header = encodeLevinHeader({ command: 2002, cb: LEVIN_INITIAL_MAX_PACKET_SIZE + 1, flags: LevinFlags.Request });
    const e = levinError(() => new LevinStreamDecoder().push(header), 'LEVIN_TOO_BIG');
    expect(e.context).to.include({ command: 2002, cb: LEVIN_INITIAL_MAX_PACKET_SIZE + 1, limit: LEVIN_INITIAL_MAX_PACKET_SIZE });
    const d = new LevinStreamDecoder();
    d.useHandshakeCompleteLimit();
    expect(d.maxPacketSize).to.equal(LEVIN_DEFAULT_MAX_PACKET_SIZE);
    expect(d.push(header)).to.deep.equal([]);
    expect(d.bufferedBytes).to.equal(0);
    const big = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE });
    levinError(() => big.push(encodeLevinHeader({ command: 0, cb: LEVIN_DEFAULT_MAX_PACKET_SIZE + 1, flags: 4 })), 'LEVIN_TOO_BIG');
  });

  it('applies per-command caps to requests and responses, even after the handshake', () => {
    const d = (): LevinStreamDecoder => new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE });
    expect(d().push(encodeResponse(1003, body(4096)))).to.have.length(1);
    levinError(() => d().push(encodeLevinHeader({ command: 1003, cb: 4097, flags: LevinFlags.Response })), 'LEVIN_TOO_BIG');
    levinError(() => d().push(encodeLevinHeader({ command: 1001, cb: 65537, flags: LevinFlags.Request })), 'LEVIN_TOO_BIG');
    levinError(() => d().push(encodeLevinHeader({ command: 1007, cb: 4097, flags: LevinFlags.Request })), 'LEVIN_TOO_BIG');
  });

  it('limits buffered + reassembly + incoming bytes', () => {
    const d = new LevinStreamDecoder({ maxPacketSize: 1000 });
    expect(d.push(encodeNotify(2002, body(900)).subarray(0, 500))).to.deep.equal([]);
    expect(d.bufferedBytes).to.equal(467); // the parsed header is no longer buffered
    const e = levinError(() => d.push(Buffer.alloc(534, 1)), 'LEVIN_BUFFER_LIMIT');
    expect(e.context).to.include({ buffered: 467, incoming: 534, maxPacketSize: 1000 });
    const f = new LevinStreamDecoder({ maxPacketSize: 1000 });
    f.push(fragment(LevinFlags.Begin, body(600)));
    expect(f.bufferedBytes).to.equal(600);
    levinError(() => f.push(fragment(0, body(400))), 'LEVIN_BUFFER_LIMIT');
  });

  it('is dead after an error: buffers released, the same error thrown again', () => {
    const d = new LevinStreamDecoder();
    d.push(fragment(LevinFlags.Begin, body(100)));
    const e = levinError(() => d.push(Buffer.from('0000000000000000', 'hex')), 'LEVIN_BAD_SIGNATURE');
    expect(d.bufferedBytes).to.equal(0);
    expect(d.error).to.equal(e);
    expect(() => d.push(encodeNotify(2002, body(1)))).to.throw(e.message);
  });

  it('skips noise, reassembles BEGIN/middle/END and ignores padding after the inner message', () => {
    const inner = encodeNotify(2002, body(50, 9));
    const padded = Buffer.concat([inner, Buffer.alloc(30)]);
    const d = new LevinStreamDecoder();
    const out = [
      ...d.push(fragment(LevinFlags.Begin, padded.subarray(0, 20))),
      ...d.push(makeNoiseFrame(64)),
      ...d.push(fragment(0, padded.subarray(20, 60))),
      ...d.push(fragment(LevinFlags.End, padded.subarray(60))),
    ];
    expect(out).to.have.length(1);
    expect(out[0]).to.include({ command: 2002, fragmented: true, isRequest: true, expectsResponse: false });
    expect(out[0].body.equals(inner.subarray(33))).to.equal(true);
  });

  it('BEGIN discards an unfinished reassembly', () => {
    const inner = encodeInvoke(1002, body(10));
    const d = new LevinStreamDecoder();
    d.push(fragment(LevinFlags.Begin, body(70, 0xee)));
    const out = [...d.push(fragment(LevinFlags.Begin, inner.subarray(0, 5))), ...d.push(fragment(LevinFlags.End, inner.subarray(5)))];
    expect(out.map((m) => [m.command, m.expectsResponse])).to.deep.equal([[1002, true]]);
  });

  it('rejects a reassembled message shorter than a header or shorter than its inner cb', () => {
    levinError(() => new LevinStreamDecoder().push(fragment(LevinFlags.End, body(32))), 'LEVIN_BAD_FRAGMENT');
    const inner = encodeNotify(2002, body(50));
    const e = levinError(() => new LevinStreamDecoder().push(fragment(LevinFlags.End, inner.subarray(0, 80))), 'LEVIN_BAD_FRAGMENT');
    expect(e.context).to.include({ cb: 50, length: 80 });
  });

  it('applies the inner command cap to reassembled messages', () => {
    const ping = encodeInvoke(1003, body(5000));
    const d = new LevinStreamDecoder();
    const slots = packForNoise(ping);
    d.push(slots[0]);
    levinError(() => d.push(slots[1]), 'LEVIN_TOO_BIG');
  });

  it('treats RESPONSE as a response only with protocol version 1', () => {
    const v2 = encodeResponse(1003, body(3));
    v2.writeUInt32LE(2, 29);
    const [m] = new LevinStreamDecoder().push(v2);
    expect([m.isResponse, m.isRequest, m.protocolVersion]).to.deep.equal([false, true, 2]);
  });

  it('refuses a non-positive packet limit', () => {
    expect(() => new LevinStreamDecoder({ maxPacketSize: 0 })).to.throw(LevinError);
    expect(() => new LevinStreamDecoder().setMaxPacketSize(Number.NaN)).to.throw(LevinError);
  });

  describe('receive limits chosen by the connection', () => {
    it('drops the body of a discarded command as it streams in, holding none of it, and emits the message without a body', () => {
      const d = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE, discardBody: (c) => c === 2008 });
      const header = encodeLevinHeader({ command: 2008, cb: 3_000_000, expectsResponse: false, returnCode: 0, flags: LevinFlags.Request });
      expect(d.push(header)).to.deep.equal([]);
      let peak = 0;
      const out: LevinMessage[] = [];
      for (let sent = 0; sent < 3_000_000; sent += 65536) {
        out.push(...d.push(body(Math.min(65536, 3_000_000 - sent))));
        peak = Math.max(peak, d.bufferedBytes);
      }
      expect(peak, 'nothing of the discarded body is held').to.equal(0);
      expect(out.map((m) => [m.command, m.segments.length])).to.deep.equal([[2008, 0]]);
      // the next message decodes as usual, also in the same chunk as a discarded one
      const next = d.push(Buffer.concat([encodeNotify(2008, body(100)), encodeNotify(2002, body(5))]));
      expect(next.map((m) => [m.command, m.segments.length, m.body.length])).to.deep.equal([
        [2008, 0, 0],
        [2002, 1, 5],
      ]);
    });

    it('still applies the command cap to a discarded body (monerod refuses it too)', () => {
      const d = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE, discardBody: () => true });
      const header = encodeLevinHeader({ command: 2008, cb: 4 * 1024 * 1024 + 1, expectsResponse: false, returnCode: 0, flags: LevinFlags.Request });
      levinError(() => d.push(header), 'LEVIN_TOO_BIG');
    });

    it('applies the connection\'s own per-command caps instead of monerod\'s', () => {
      const d = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE, maxBody: (c) => (c === 2002 ? 1000 : Infinity) });
      expect(d.push(encodeNotify(2002, body(1000)))).to.have.length(1);
      const e = levinError(() => d.push(encodeLevinHeader({ command: 2002, cb: 1001, expectsResponse: false, returnCode: 0, flags: LevinFlags.Request })), 'LEVIN_TOO_BIG');
      expect(e.context).to.deep.include({ command: 2002, cb: 1001, limit: 1000 });
    });

    it('bounds fragment reassembly', () => {
      const d = new LevinStreamDecoder({ maxReassembly: 5000 });
      expect(d.push(fragment(LevinFlags.Begin, body(3000)))).to.deep.equal([]);
      levinError(() => d.push(fragment(0, body(2001))), 'LEVIN_TOO_BIG');
      expect(d.bufferedBytes).to.equal(0);
    });

    it('shares a receive budget for large bodies: one that does not fit fails, completed and failed ones give theirs back', () => {
      const budget = new ReceiveBudget(1_000_000, 1000);
      const a = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE, budget });
      const b = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE, budget });
      const big = encodeNotify(2002, body(600_000));
      a.push(Buffer.from(big.subarray(0, 100)));
      expect(budget.usedBytes).to.equal(600_000);
      const e = levinError(() => b.push(Buffer.from(big.subarray(0, 100))), 'LEVIN_RECEIVE_BUDGET');
      expect(e.context).to.deep.include({ cb: 600_000, used: 600_000, capacity: 1_000_000 });
      expect(budget.usedBytes, 'the refused one took nothing').to.equal(600_000);
      const small = new LevinStreamDecoder({ budget });
      expect(small.push(encodeNotify(2002, body(1000))), 'a small body is not counted').to.have.length(1);
      expect(a.push(Buffer.from(big.subarray(100)))).to.have.length(1);
      expect(budget.usedBytes, 'a completed body gives its share back').to.equal(0);
      const c = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE, budget });
      c.push(Buffer.from(big.subarray(0, 100)));
      c.dispose();
      expect(budget.usedBytes, 'so does a disposed decoder').to.equal(0);
    });

    it('dispose() drops every buffered byte and ends the decoder', () => {
      const d = new LevinStreamDecoder({ maxPacketSize: LEVIN_DEFAULT_MAX_PACKET_SIZE });
      const partial = encodeNotify(2002, body(1_000_000)).subarray(0, 600_000);
      d.push(Buffer.from(partial));
      expect(d.bufferedBytes).to.equal(600_000 - 33);
      d.dispose();
      expect(d.bufferedBytes).to.equal(0);
      levinError(() => d.push(body(1)), 'LEVIN_DECODER_FAILED');
    });
  });
});
