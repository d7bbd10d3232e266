import { addressCodecCompliance } from '@veilnode/compliance';
import { OnionV3Codec } from '../src/onion-v3-codec';

const TOR_MADE = 'zghpp44hm3csmdc47wir32y577t4s5i6kldnejusmhdckn2y7rrkcnid.onion';
const TORPROJECT = '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion';

addressCodecCompliance('OnionV3Codec', new OnionV3Codec(), {
  valid: [
    { text: `${TOR_MADE}:18083`, host: TOR_MADE, port: 18083, wire: { type: 4, host: TOR_MADE, port: 18083 } },
    { text: `${TORPROJECT.toUpperCase().replace('.ONION', '.onion')}:80`, canonical: `${TORPROJECT}:80`, host: TORPROJECT, port: 80 },
    { text: `${TORPROJECT.toUpperCase()}:65535`, canonical: `${TORPROJECT}:65535` },
  ],
  invalid: [
    { text: 'expyuzz4wqqyqhjn.onion:80', because: 'v2 onion services no longer exist' },
    { text: TOR_MADE, because: 'missing :PORT' },
    { text: `${TOR_MADE}:0`, because: 'port 0 must be 1..65535' },
    { text: `${TOR_MADE}:65536`, because: 'must be 1..65535' },
    { text: `${TOR_MADE.replace('zghpp', 'zghpq')}:1`, because: 'checksum mismatch' },
    { text: `${TOR_MADE.replace('z', '1')}:1`, because: 'outside the base32 alphabet' },
    { text: `${TOR_MADE.slice(1)}:1`, because: 'not 55' },
    { text: `www.${TOR_MADE}:1`, because: 'subdomains' },
    { text: `${'a'.repeat(55)}d.onion:1`, because: 'checksum mismatch' },
    { text: `${'a'.repeat(56)}.onion:1`, because: 'version byte is 0, expected 3' },
  ],
  foreign: ['1.2.3.4:18080', '[::1]:18080', `${'a'.repeat(52)}.b32.i2p:0`],
  invalidWire: [
    { type: 4, host: 'expyuzz4wqqyqhjn.onion', port: 80 },
    { type: 4, host: TOR_MADE, port: 0 },
    { type: 4, host: `${TOR_MADE.replace('zghpp', 'zghpq')}`, port: 1 },
    { type: 3, host: `${'a'.repeat(52)}.b32.i2p`, port: 1 },
  ],
});
