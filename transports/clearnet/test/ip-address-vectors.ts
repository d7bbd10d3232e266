import type { AddressVectors } from '@veilnode/compliance';

const v6 = (...tail: number[]): Uint8Array => {
  const bytes = new Uint8Array(16);
  bytes.set(tail, 16 - tail.length);
  return bytes;
};

/** Clearnet address vectors; wire values follow monerod's m_ip (a + b·2^8 + c·2^16 + d·2^24). */
export const ipAddressVectors: AddressVectors = {
  valid: [
    { text: '1.2.3.4:18080', host: '1.2.3.4', port: 18080, wire: { type: 1, ip: 1 + 2 * 2 ** 8 + 3 * 2 ** 16 + 4 * 2 ** 24, port: 18080 } },
    { text: '127.0.0.1:0', port: 0, wire: { type: 1, ip: 0x0100007f, port: 0 } },
    { text: '255.255.255.255:65535', wire: { type: 1, ip: 0xffffffff, port: 65535 } },
    { text: '0.0.0.0:1', wire: { type: 1, ip: 0, port: 1 } },
    { text: '[::1]:18080', host: '::1', wire: { type: 2, addr: v6(1), port: 18080 } },
    { text: '[2001:DB8:0:0:0:0:0:1]:18080', canonical: '[2001:db8::1]:18080', host: '2001:db8::1' },
    { text: '[2001:0db8::0001]:80', canonical: '[2001:db8::1]:80' },
    { text: '[2001:db8:0:0:1:0:0:1]:1', canonical: '[2001:db8::1:0:0:1]:1' },
    { text: '[1:0:3:4:5:6:7:8]:9', canonical: '[1:0:3:4:5:6:7:8]:9' },
    { text: '[::]:18080', wire: { type: 2, addr: v6(), port: 18080 } },
    { text: '[fe80::1]:28080' },
    { text: '[::1.2.3.4]:18080', canonical: '[::102:304]:18080' },
    { text: '[::ffff:1.2.3.4]:18080', canonical: '1.2.3.4:18080', host: '1.2.3.4', wire: { type: 1, ip: 0x04030201, port: 18080 } },
    { text: '[::FFFF:0102:0304]:5', canonical: '1.2.3.4:5' },
  ],
  invalid: [
    { text: '256.1.1.1:18080', because: 'octets 0..255' },
    { text: '1.2.3:18080', because: 'four decimal octets' },
    { text: '1.2.3.4.5:18080', because: 'four decimal octets' },
    { text: '01.2.3.4:18080', because: 'leading zeros' },
    { text: '1.2.3.010:18080', because: 'leading zeros' },
    { text: '1.2.3.4:65536', because: 'outside 0..65535' },
    { text: '1.2.3.4:99999', because: 'outside 0..65535' },
    { text: '1.2.3.4:018080', because: 'leading zeros' },
    { text: '1.2.3.4:-1', because: 'not a decimal number' },
    { text: '1.2.3.4:1e3', because: 'not a decimal number' },
    { text: '1.2.3.4:', because: 'missing port' },
    { text: '1.2.3.4', because: 'missing port' },
    { text: '', because: 'missing port' },
    { text: '[::1]', because: 'missing port' },
    { text: '[::1]:', because: 'missing port' },
    { text: '::1:18080', because: 'brackets' },
    { text: '[::1:18080', because: "closing ']'" },
    { text: '[fe80::1%eth0]:18080', because: 'zone id' },
    { text: '[1::2::3]:1', because: 'not a valid IPv6' },
    { text: '[12345::1]:1', because: 'not a valid IPv6' },
    { text: '[1.2.3.4]:1', because: 'not a valid IPv6' },
    { text: 'localhost:18080', because: 'host names' },
    { text: 'node.example.com:18080', because: 'host names' },
    { text: ' 1.2.3.4:18080' },
  ],
  foreign: [
    'zqktlwiuavvvqqt4ybvgvi7tyo4hjl5xgfuvpdf6otjiycgwqbym2qad.onion:18083',
    'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:0',
  ],
  invalidWire: [
    { type: 1, ip: 2 ** 32, port: 1 },
    { type: 1, ip: -1, port: 1 },
    { type: 1, ip: 1.5, port: 1 },
    { type: 1, ip: 1, port: 65536 },
    { type: 2, addr: new Uint8Array(15), port: 1 },
    { type: 2, addr: new Uint8Array(16), port: -1 },
  ],
};
