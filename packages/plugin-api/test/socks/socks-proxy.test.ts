import { expect } from 'chai';
import { inspect } from 'node:util';
import { ConfigError } from '../../src/errors';
import { parseSocksProxy } from '../../src/socks/socks-proxy';

describe('parseSocksProxy', () => {
  it('defaults to SOCKS5 for a bare ip:port', () => {
    const p = parseSocksProxy('127.0.0.1:9050');
    expect([p.version, p.host, p.port, p.hasCredentials]).to.deep.equal([5, '127.0.0.1', 9050, false]);
  });

  it('reads monerod\'s schemes and IPv6 literals', () => {
    for (const scheme of ['socks4a', 'socks4', 'socks']) expect(parseSocksProxy(`${scheme}://127.0.0.1:9050`).version).to.equal(4);
    expect(parseSocksProxy('socks5://alice@127.0.0.1:1080').credentials).to.deep.equal({ username: 'alice', password: '' });
    const p = parseSocksProxy('socks5://[::1]:1080');
    expect([p.version, p.host, p.port]).to.deep.equal([5, '::1', 1080]);
    expect(p.toString()).to.equal('socks5://[::1]:1080');
  });

  it('percent-decodes credentials and keeps them out of every printable form', () => {
    const p = parseSocksProxy('socks5://al%40ice:s3cr%3At@127.0.0.1:1080');
    expect(p.credentials).to.deep.equal({ username: 'al@ice', password: 's3cr:t' });
    for (const shown of [p.toString(), JSON.stringify({ p }), inspect(p), inspect({ p }, { depth: 5 })]) {
      expect(shown).to.not.match(/s3cr|al@ice|al%40ice/);
    }
    expect(p.toString()).to.equal('socks5://***@127.0.0.1:1080');
  });

  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['localhost:9050', /IPv4 address or \[IPv6\] literal \(no DNS names\)/],
    ['127.0.0.1', /missing :port/],
    ['127.0.0.1:0', /port "0" must be 1\.\.65535/],
    ['127.0.0.1:65536', /must be 1\.\.65535/],
    ['http://127.0.0.1:8080', /unsupported scheme http/],
    ['socks4a://user:pw@127.0.0.1:9050', /SOCKS4a cannot carry a username and password/],
    ['socks5://@127.0.0.1:9050', /user name must be 1\.\.255 bytes/],
    ['socks5://[zz]:9050', /is not an IPv6 address/],
    ['::1:9050', /IPv6 addresses must be written in brackets/],
  ];
  for (const [text, reason] of bad) {
    it(`rejects ${JSON.stringify(text)} with its reason`, () => {
      let caught: unknown;
      try {
        parseSocksProxy(text, 'zones.tor.proxy');
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(ConfigError);
      const err = caught as ConfigError;
      expect(err.message).to.match(reason);
      expect(err.context.path).to.equal('zones.tor.proxy');
    });
  }

  it('never quotes a password in the error for a bad proxy', () => {
    expect(() => parseSocksProxy('socks4a://bob:hunter2@127.0.0.1:9050'))
      .to.throw(ConfigError)
      .that.satisfies((e: ConfigError) => !JSON.stringify(e.toJSON()).includes('hunter2') && !e.message.includes('hunter2'));
  });
});
