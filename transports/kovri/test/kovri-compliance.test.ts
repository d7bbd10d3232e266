import { RecordingLogger, addressCodecCompliance, transportCompliance } from '@veilnode/compliance';
import { KovriAddressCodec } from '../src/kovri-address-codec';
import { KovriTransport } from '../src/kovri-transport';

// Both capabilities are false, so the suite holds the stub to "unavailable" behaviour.
transportCompliance('kovri (stub)', {
  async setup() {
    return {
      transport: new KovriTransport(new RecordingLogger()),
      deadAddress: { zone: 'kovri', host: 'nowhere.kovri', port: 18080 },
    };
  },
});

addressCodecCompliance('KovriAddressCodec', new KovriAddressCodec(), {
  valid: [{ text: 'node-1.kovri:18080', host: 'node-1.kovri', port: 18080 }, { text: 'a.kovri:0' }],
  invalid: [
    { text: 'node.kovri', because: 'missing port' },
    { text: 'Node.kovri:1', because: 'lowercase label' },
    { text: '-node.kovri:1', because: 'lowercase label' },
    { text: 'a.b.kovri:1', because: 'lowercase label' },
    { text: '.kovri:1', because: 'lowercase label' },
    { text: 'node.kovri:65536', because: 'outside 0..65535' },
    { text: 'node.kovri:08080', because: 'leading zeros' },
  ],
  foreign: ['1.2.3.4:18080', 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:0'],
});
