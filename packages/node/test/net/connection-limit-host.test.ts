import { expect } from 'chai';
import { connectionLimitHost } from '../../src/net/connection-limit-host';

describe('connectionLimitHost (what a per-IP inbound limit counts, as monerod)', () => {
  it('counts an IPv4 address, and an IPv4-mapped IPv6 one, as itself', () => {
    expect(connectionLimitHost('127.0.0.1')).to.equal('127.0.0.1');
    expect(connectionLimitHost('::ffff:10.1.2.3')).to.equal('10.1.2.3');
    expect(connectionLimitHost('::ffff:a01:203')).to.equal('10.1.2.3');
    expect(connectionLimitHost('127.0.0.1')).not.to.equal(connectionLimitHost('127.0.0.2'));
  });

  it('counts a public IPv6 address as its /64', () => {
    const a = connectionLimitHost('2001:db8:1:2:aaaa::1');
    expect(a).to.equal('2001:db8:1:2::/64');
    expect(connectionLimitHost('2001:0db8:0001:0002:ffff:1:2:3')).to.equal(a);
    expect(connectionLimitHost('2001:db8:1:3::1')).not.to.equal(a);
  });

  it('counts loopback, link-local, site-local, unique-local and multicast IPv6 addresses as themselves', () => {
    expect(connectionLimitHost('::1')).to.equal('0:0:0:0:0:0:0:1');
    for (const [x, y] of [
      ['fe80::1', 'fe80::2'],
      ['fec0::1', 'fec0::2'],
      ['fd00::1', 'fd00::2'],
      ['ff02::1', 'ff02::2'],
    ]) {
      expect(connectionLimitHost(x), x).not.to.equal(connectionLimitHost(y));
    }
  });

  it('leaves what is not an IP literal alone', () => {
    expect(connectionLimitHost('peer.example')).to.equal('peer.example');
  });
});
