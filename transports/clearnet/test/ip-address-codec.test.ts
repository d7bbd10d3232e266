import { expect } from 'chai';
import fc from 'fast-check';
import { InvalidAddressError } from '@veilnode/plugin-api';
import { IpAddressCodec } from '../src/ip-address-codec';

const codec = new IpAddressCodec();
const port = fc.integer({ min: 0, max: 65535 });
const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
/** Groups are often zero, so runs of zeros (the `::` cases) come up constantly. */
const ipv6 = fc
  .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .map((groups) => Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff])));
const isMapped = (b: Uint8Array): boolean => b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
const expandedV6 = (b: Uint8Array): string =>
  Array.from({ length: 8 }, (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16).toUpperCase().padStart(4, '0')).join(':');

describe('IpAddressCodec', function () {
  it('round-trips every IPv4 address and port through text and the m_ip wire form', function () {
    fc.assert(
      fc.property(ipv4, port, (bytes, p) => {
        const text = `${bytes.join('.')}:${p}`;
        const address = codec.parse(text);
        expect(codec.format(address)).to.equal(text);
        const wire = codec.toWire(address);
        expect(wire).to.deep.equal({ type: 1, ip: bytes[0] + bytes[1] * 2 ** 8 + bytes[2] * 2 ** 16 + bytes[3] * 2 ** 24, port: p });
        expect(codec.fromWire(wire)).to.deep.equal(address);
      }),
    );
  });

  it('formats every IPv6 address as RFC 5952 text, the form WHATWG URL serialises too', function () {
    fc.assert(
      fc.property(ipv6, port, (bytes, p) => {
        fc.pre(!isMapped(bytes));
        const address = codec.parse(`[${expandedV6(bytes)}]:${p}`);
        const oracle = new URL(`http://[${expandedV6(bytes)}]/`).hostname.slice(1, -1);
        expect(address.host).to.equal(oracle);
        const wire = codec.toWire(address);
        expect(wire.type).to.equal(2);
        expect(Array.from((wire as { addr: Uint8Array }).addr)).to.deep.equal(Array.from(bytes));
        expect(codec.fromWire(wire)).to.deep.equal(address);
      }),
    );
  });

  it('turns IPv4-mapped IPv6, in text or wire form, into the IPv4 address it carries', function () {
    fc.assert(
      fc.property(ipv4, port, (v4, p) => {
        const mapped = Uint8Array.from([...Array(10).fill(0), 0xff, 0xff, ...v4]);
        const expected = { zone: 'clearnet', host: v4.join('.'), port: p };
        expect(codec.parse(`[::ffff:${v4.join('.')}]:${p}`)).to.deep.equal(expected);
        expect(codec.fromWire({ type: 2, addr: mapped, port: p })).to.deep.equal(expected);
        expect(codec.toWire(expected).type).to.equal(1);
      }),
    );
  });

  it('accepts port 65535 and rejects every port above it', function () {
    expect(codec.parse('1.2.3.4:65535').port).to.equal(65535);
    fc.assert(
      fc.property(fc.integer({ min: 65536, max: 10_000_000 }), (p) => {
        expect(() => codec.parse(`1.2.3.4:${p}`)).to.throw(InvalidAddressError, 'outside 0..65535');
        expect(() => codec.parse(`[::1]:${p}`)).to.throw(InvalidAddressError, 'outside 0..65535');
      }),
    );
  });

  it('rejects octets above 255 wherever they are', function () {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 256, max: 999 }), (index, octet) => {
        const octets = ['1', '2', '3', '4'];
        octets[index] = String(octet);
        expect(() => codec.parse(`${octets.join('.')}:1`)).to.throw(InvalidAddressError, 'octets 0..255');
      }),
    );
  });

  it('names the socket peer of a dual-stack listener by its IPv4 address', function () {
    expect(codec.fromSocket('::ffff:10.0.0.1', 5)).to.deep.equal({ zone: 'clearnet', host: '10.0.0.1', port: 5 });
    expect(codec.fromSocket('::1', 5)).to.deep.equal({ zone: 'clearnet', host: '::1', port: 5 });
    expect(() => codec.fromSocket('localhost', 5)).to.throw(InvalidAddressError);
  });

  it('claims IP-looking text only', function () {
    expect(codec.claims('1.2.3.4:18080')).to.equal(true);
    expect(codec.claims('[::1]:18080')).to.equal(true);
    expect(codec.claims('localhost:18080')).to.equal(false);
    expect(codec.claims('1.2.3.4')).to.equal(false);
  });
});
