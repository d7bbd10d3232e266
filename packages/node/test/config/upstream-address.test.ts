import { expect } from 'chai';
import { parseCommandLine } from '../../src/config/command-line';
import { formatUpstreamAddress, parseUpstreamAddress, upstreamAddressProblem } from '../../src/config/upstream-address';

describe('upstream address (--bootstrap-daemon-address)', () => {
  it('reads monerod’s forms and the zone of the host', () => {
    expect(parseUpstreamAddress('127.0.0.1:18081')).to.deep.equal({ tls: false, host: '127.0.0.1', port: 18081, zone: 'clearnet' });
    expect(parseUpstreamAddress('https://node.example:443/')).to.deep.equal({ tls: true, host: 'node.example', port: 443, zone: 'clearnet' });
    expect(parseUpstreamAddress('http://[::1]:80')).to.deep.equal({ tls: false, host: '::1', port: 80, zone: 'clearnet' });
    expect(parseUpstreamAddress(`http://${'a'.repeat(56)}.onion`)).to.deep.include({ port: 18081, zone: 'tor' });
    expect(parseUpstreamAddress(`${'b'.repeat(52)}.b32.i2p:18089`)).to.deep.include({ zone: 'i2p' });
    expect(formatUpstreamAddress(parseUpstreamAddress('http://[::1]:80') as never)).to.equal('http://[::1]:80');
  });

  it('refuses what it cannot use, saying why', () => {
    expect(parseUpstreamAddress('auto')).to.match(/no address/);
    expect(parseUpstreamAddress('ftp://x:1')).to.match(/not http or https/);
    expect(parseUpstreamAddress('http://u:p@x:1')).to.match(/--bootstrap-daemon-login/);
    expect(parseUpstreamAddress('http://x:1/json_rpc')).to.match(/expected/);
    expect(parseUpstreamAddress('http://x:70000')).to.match(/not in 1..65535/);
  });

  it('the flags set rpc.upstream.*; the login is never echoed in an error', () => {
    const { settings } = parseCommandLine(['--bootstrap-daemon-address', 'http://127.0.0.1:18081', '--bootstrap-daemon-login', 'u:p', '--bootstrap-daemon-proxy', '127.0.0.1:9050', '--rpc-ssl', 'enabled']);
    expect(settings.map((s) => [s.path, s.value])).to.deep.equal([
      ['rpc.upstream.address', 'http://127.0.0.1:18081'],
      ['rpc.upstream.login', 'u:p'],
      ['rpc.upstream.proxy', '127.0.0.1:9050'],
      ['rpc.ssl.mode', 'enabled'],
    ]);
    expect(() => parseCommandLine(['--bootstrap-daemon-login', 'nocolon'])).to.throw(/<hidden>/);
    expect(parseCommandLine(['--bootstrap-daemon-address', 'auto']).settings.map((s) => [s.path, s.value])).to.deep.equal([['rpc.upstream.address', 'auto']]);
    expect(upstreamAddressProblem('auto')).to.equal(undefined);
    expect(upstreamAddressProblem('http://x:70000')).to.match(/not in 1..65535/);
  });
});
