import { InvalidAddressError, type AddressCodec, type PeerAddress, type WireAddress } from '@veilnode/plugin-api';

/** Minimal IPv4-only codec for a test "clearnet" zone (the real one lives in @veilnode/clearnet). */
export const testIpv4Codec: AddressCodec = {
  zone: 'clearnet',
  wireTypes: [1],
  claims: (text) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(text),
  parse(text) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/.exec(text);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 65535) throw new InvalidAddressError(text, 'not ipv4:port');
    return { zone: 'clearnet', host: m.slice(1, 5).map(Number).join('.'), port: Number(m[5]) };
  },
  format: (a) => `${a.host}:${a.port}`,
  toWire(a): WireAddress {
    const o = a.host.split('.').map(Number);
    return { type: 1, ip: (o[0] | (o[1] << 8) | (o[2] << 16) | (o[3] << 24)) >>> 0, port: a.port };
  },
  fromWire(w): PeerAddress {
    if (w.type !== 1) throw new InvalidAddressError(JSON.stringify(w.type), 'not ipv4');
    if (w.port < 1 || w.port > 65535) throw new InvalidAddressError(String(w.port), 'bad port');
    const ip = w.ip >>> 0;
    return { zone: 'clearnet', host: [ip & 255, (ip >>> 8) & 255, (ip >>> 16) & 255, ip >>> 24].join('.'), port: w.port };
  },
};

/** Minimal onion-v3-shaped codec for a test "tor" zone (no checksum check). */
export const testOnionCodec: AddressCodec = {
  zone: 'tor',
  wireTypes: [4],
  claims: (text) => text.includes('.onion'),
  parse(text) {
    const m = /^([a-z2-7]{56}\.onion):(\d{1,5})$/.exec(text);
    if (!m) throw new InvalidAddressError(text, 'not an onion v3 address');
    return { zone: 'tor', host: m[1], port: Number(m[2]) };
  },
  format: (a) => `${a.host}:${a.port}`,
  toWire: (a) => ({ type: 4, host: a.host, port: a.port }),
  fromWire(w) {
    if (w.type !== 4) throw new InvalidAddressError(String(w.type), 'not tor');
    return testOnionCodec.parse(`${w.host}:${w.port}`);
  },
};

export function ipv4Wire(text: string, port: number): WireAddress {
  return testIpv4Codec.toWire({ zone: 'clearnet', host: text, port });
}
