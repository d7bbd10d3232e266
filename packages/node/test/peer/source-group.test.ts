import { expect } from 'chai';
import { sourceGroup } from '../../src/peer/source-group';

const clearnet = (host: string) => ({ zone: 'clearnet', host, port: 18080 });

describe('peer/sourceGroup', () => {
  it('groups clearnet IPv4 by /24 and IPv6 by /48, an IPv4-mapped IPv6 address as its IPv4', () => {
    const group = (host: string) => sourceGroup(clearnet(host), 'clearnet-1');
    expect(group('203.0.113.7')).to.equal(group('203.0.113.250'));
    expect(group('203.0.113.7')).to.not.equal(group('203.0.114.7'));
    expect(group('2001:db8:1:ffff::1')).to.equal(group('2001:db8:1::2'));
    expect(group('2001:db8:1::1')).to.not.equal(group('2001:db8:2::1'));
    expect(group('::ffff:203.0.113.9')).to.equal(group('203.0.113.7'));
  });

  it('is its connection on anonymity zones and when the remote is unknown', () => {
    expect(sourceGroup({ zone: 'tor', host: `${'a'.repeat(56)}.onion`, port: 18083 }, 'tor-3')).to.equal('conn:tor-3');
    expect(sourceGroup(undefined, 'clearnet-4')).to.equal('conn:clearnet-4');
    expect(sourceGroup({ zone: 'i2p', host: `${'b'.repeat(52)}.b32.i2p`, port: 0 }, 'i2p-5')).to.not.equal(sourceGroup({ zone: 'i2p', host: `${'b'.repeat(52)}.b32.i2p`, port: 0 }, 'i2p-6'));
  });

  it('never contains the address', () => {
    const key = sourceGroup(clearnet('203.0.113.7'), 'clearnet-1');
    expect(key).to.match(/^group:[0-9a-f]{16}$/);
    expect(key).to.not.include('203.0.113');
  });
});
