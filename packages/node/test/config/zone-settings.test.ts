import { expect } from 'chai';
import { anonymityZonePolicy, ConfigError, publicZonePolicy, SocksProxy } from '@veilnode/plugin-api';
import { resolveZoneConfig } from '../../src/config/zone-settings';

const P2P = { bindIp: '127.0.0.1', bindPort: 18080 };

describe('resolveZoneConfig hands transports typed settings', () => {
  it('parses inbound.bind into {host, port}: IPv4, and IPv6 without its brackets', () => {
    const v4 = resolveZoneConfig('tor', { inbound: { address: 'x.onion:18083', bind: '127.0.0.1:0' } }, anonymityZonePolicy('tor'), P2P);
    expect(v4.inbound?.bind).to.deep.equal({ host: '127.0.0.1', port: 0 });
    const v6 = resolveZoneConfig('tor', { inbound: { address: 'x.onion:18083', bind: '[::1]:18083' } }, anonymityZonePolicy('tor'), P2P);
    expect(v6.inbound?.bind).to.deep.equal({ host: '::1', port: 18083 });
  });

  it("gives the public zone the p2p bind as its listen bind, IPv6 included", () => {
    const zone = resolveZoneConfig('clearnet', {}, publicZonePolicy('clearnet'), { bindIp: '::1', bindPort: 28080 });
    expect(zone.inbound).to.deep.equal({ address: '[::1]:28080', bind: { host: '::1', port: 28080 }, max: 64 });
  });

  it('parses the proxy into a SocksProxy: kind, host and port, IPv6 and credentials kept private', () => {
    const tor = resolveZoneConfig('tor', { proxy: '[::1]:9050' }, anonymityZonePolicy('tor'), P2P);
    expect(tor.proxy).to.be.instanceOf(SocksProxy);
    expect([tor.proxy?.version, tor.proxy?.host, tor.proxy?.port]).to.deep.equal([5, '::1', 9050]);
    const i2p = resolveZoneConfig('i2p', { proxy: 'socks4a://127.0.0.1:4447' }, anonymityZonePolicy('i2p'), P2P);
    expect([i2p.proxy?.version, i2p.proxy?.host, i2p.proxy?.port]).to.deep.equal([4, '127.0.0.1', 4447]);
    const secret = resolveZoneConfig('tor', { proxy: 'socks5://user:hunter2@127.0.0.1:9050' }, anonymityZonePolicy('tor'), P2P);
    expect(secret.proxy?.credentials).to.deep.equal({ username: 'user', password: 'hunter2' });
    expect(JSON.stringify(secret)).to.not.include('hunter2');
    expect(resolveZoneConfig('tor', {}, anonymityZonePolicy('tor'), P2P).proxy).to.equal(null);
  });

  it('refuses a bind or proxy validation would have refused with a ConfigError naming the key', () => {
    expect(() => resolveZoneConfig('tor', { inbound: { address: 'x', bind: 'localhost:1' } }, anonymityZonePolicy('tor'), P2P)).to.throw(ConfigError, 'zones.tor.inbound.bind');
    expect(() => resolveZoneConfig('tor', { proxy: 'localhost:9050' }, anonymityZonePolicy('tor'), P2P)).to.throw(ConfigError, 'zones.tor.proxy');
  });
});
