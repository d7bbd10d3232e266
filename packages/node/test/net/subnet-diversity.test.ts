import { expect } from 'chai';
import { SubnetDiversity } from '../../src/net/subnet-diversity';
import { SeededRng } from '../../src/time/rng';

const peer = (host: string) => ({ host, port: 18080 });

describe('SubnetDiversity (one outbound peer per IPv4 /24 and IPv6 /32)', () => {
  const diversity = new SubnetDiversity();
  const hosts = (ps: { host: string }[]) => ps.map((p) => p.host).sort();

  it('drops candidates in a subnet an outbound peer already occupies', () => {
    const candidates = ['10.1.2.3', '10.1.2.200', '10.1.3.4', '2001:db8:1::1', '2001:db8:ffff::9', '2001:db9::1'].map(peer);
    const open = diversity.qualifying(candidates, ['10.1.2.99', '2001:db8:77::1'], new SeededRng(1));
    expect(hosts(open)).to.deep.equal(['10.1.3.4', '2001:db9::1']);
  });

  it('keeps at most one candidate per subnet among the candidates themselves', () => {
    const candidates = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '203.0.113.9'].map(peer);
    for (let seed = 1; seed <= 20; seed++) {
      const open = diversity.qualifying(candidates, [], new SeededRng(seed));
      expect(open).to.have.length(2);
      expect(hosts(open)).to.include('203.0.113.9');
    }
  });

  it('judges IPv4-mapped IPv6 as its IPv4 address', () => {
    expect(diversity.qualifying([peer('::ffff:10.1.2.3')], ['10.1.2.4'], new SeededRng(1))).to.deep.equal([]);
    expect(diversity.qualifying([peer('10.1.2.3')], ['::ffff:10.1.2.4'], new SeededRng(1))).to.deep.equal([]);
    expect(diversity.qualifying([peer('::FFFF:0a01:0205')], ['10.1.2.4'], new SeededRng(1))).to.deep.equal([]);
    expect(diversity.subnetKey('0:0:0:0:0:ffff:10.1.2.9')).to.equal(diversity.subnetKey('10.1.2.200'));
  });

  it('lets loopback hosts through: a local test network is not a rented subnet', () => {
    const open = diversity.qualifying([peer('127.0.0.1'), peer('127.0.0.1'), peer('127.0.0.2'), peer('::1')], ['127.0.0.3', '::1'], new SeededRng(1));
    expect(open).to.have.length(4);
  });

  it('counts a hidden-service host as its own subnet: one peer per host, whatever its ports', () => {
    const onion = 'a'.repeat(56) + '.onion';
    const other = 'b'.repeat(56) + '.onion';
    const b32 = 'c'.repeat(52) + '.b32.i2p';
    const open = diversity.qualifying([{ host: onion, port: 1 }, { host: other, port: 1 }, { host: other, port: 2 }, { host: b32, port: 0 }], [onion.toUpperCase()], new SeededRng(1));
    expect(hosts(open)).to.deep.equal([other, b32].sort());
  });

  it('draws uniformly: a spy holding 50 addresses of one /24 gets one chance in 11, not 50 in 60', function () {
    this.timeout(30_000);
    const spies = Array.from({ length: 50 }, (_, i) => peer(`192.0.2.${i + 1}`));
    const honest = Array.from({ length: 10 }, (_, i) => peer(`100.64.${i}.1`));
    const rng = new SeededRng(9);
    const draws = 2_200;
    let spy = 0;
    for (let i = 0; i < draws; i++) if (diversity.draw([...spies, ...honest], [], rng)?.host.startsWith('192.0.2.')) spy++;
    // Expected 1/11 = 200 of 2,200 (binomial sd ≈ 13.5); 50 in 60 would be 1,833.
    expect(spy).to.be.within(150, 250);
  });

  it('draws nothing rather than a second peer in an occupied subnet', () => {
    expect(diversity.draw([peer('10.9.9.1')], ['10.9.9.2'], new SeededRng(1))).to.equal(undefined);
  });

  it('reads every IPv6 spelling to the same subnet', () => {
    const key = diversity.subnetKey('2001:db8::1');
    for (const same of ['2001:0db8:0000:0000:0000:0000:0000:0002', '2001:DB8:ffff::', '2001:db8:0:0:1::']) expect(diversity.subnetKey(same), same).to.equal(key);
    expect(diversity.subnetKey('2001:db9::1')).to.not.equal(key);
    expect(diversity.subnetKey('::2001:db8:1')).to.not.equal(key);
  });

  it('takes its prefixes from the rule: /48 groups IPv6 more finely than monerod', () => {
    const fine = new SubnetDiversity({ ipv4Prefix: 24, ipv6Prefix: 48 });
    expect(fine.qualifying([peer('2001:db8:1:2::1')], ['2001:db8:1:3::1'], new SeededRng(1))).to.have.length(0);
    expect(fine.qualifying([peer('2001:db8:2::1')], ['2001:db8:1::1'], new SeededRng(1))).to.have.length(1);
  });
});
