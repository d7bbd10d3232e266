import { expect } from 'chai';
import { formatSummary } from '../../src/cli/report';

describe('start summary', () => {
  it('marks an onion address unreachable while its zone transport is down, and leaves healthy zones plain', () => {
    const onion = `${'a'.repeat(56)}.onion:18083`;
    const text = formatSummary('0.1.0', {
      network: 'mainnet',
      dataDir: '/d',
      rpc: '127.0.0.1:18081',
      zones: [
        { name: 'clearnet', transport: 'clearnet', listening: ['127.0.0.1:18080'] },
        { name: 'tor', transport: 'tor', listening: [onion], problem: 'Tor control port unreachable' },
        { name: 'i2p', transport: 'i2p-sam', listening: [], problem: 'SAM bridge unreachable' },
      ],
    });
    expect(text).to.contain('  zone clearnet  transport clearnet  p2p 127.0.0.1:18080\n');
    expect(text).to.contain(`  zone tor       transport tor       p2p ${onion}  UNREACHABLE while Tor control port unreachable\n`);
    expect(text).to.contain('  zone i2p       transport i2p-sam   outbound only  DOWN: SAM bridge unreachable\n');
  });
});
