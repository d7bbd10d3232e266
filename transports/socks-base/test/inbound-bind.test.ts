import { expect } from 'chai';
import { ConfigError } from '@veilnode/plugin-api';
import { parseInboundBind } from '../src/inbound-bind';

describe('parseInboundBind', () => {
  it('takes IPV4:PORT and [IPV6]:PORT, port 0 included', () => {
    expect(parseInboundBind('127.0.0.1:18083', 'p')).to.deep.equal({ host: '127.0.0.1', port: 18083 });
    expect(parseInboundBind('[::1]:0', 'p')).to.deep.equal({ host: '::1', port: 0 });
  });

  for (const bad of ['localhost:1', '::1:5', '127.0.0.1', '127.0.0.1:65536', '[127.0.0.1]:x', '']) {
    it(`rejects ${JSON.stringify(bad)} with a ConfigError naming the key`, () => {
      expect(() => parseInboundBind(bad, 'zones.tor.inbound.bind'))
        .to.throw(ConfigError, 'zones.tor.inbound.bind')
        .with.property('context')
        .that.deep.equals({ path: 'zones.tor.inbound.bind' });
    });
  }
});
