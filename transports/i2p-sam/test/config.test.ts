import { expect } from 'chai';
import { ConfigError } from '@veilnode/plugin-api';
import { DEFAULT_SAM_CONFIG, i2cpOptions, parseSamConfig, parseSamReply } from '../src';

describe('i2p-sam config', () => {
  it('defaults to a local bridge, transient outbound and Bitcoin Core tunnel counts', () => {
    expect(parseSamConfig(undefined)).to.deep.equal(DEFAULT_SAM_CONFIG);
    expect(i2cpOptions(DEFAULT_SAM_CONFIG.tunnels)).to.deep.equal({
      'inbound.length': '3', 'outbound.length': '3', 'inbound.quantity': '3', 'outbound.quantity': '3', 'i2cp.leaseSetEncType': '4,0',
    });
  });

  it('reads host:port, outbound mode and tunnel settings', () => {
    const c = parseSamConfig({ sam: '[::1]:7000', outbound: 'persistent', tunnels: { inboundLength: 2 } });
    expect(c.sam).to.deep.equal({ host: '::1', port: 7000 });
    expect(c.outbound).to.equal('persistent');
    expect(c.tunnels.inboundLength).to.equal(2);
    expect(c.tunnels.outboundLength).to.equal(3);
  });

  const bad: Array<[unknown, string]> = [
    [{ sam: '127.0.0.1' }, 'i2p-sam.sam'],
    [{ sam: '127.0.0.1:0' }, 'i2p-sam.sam'],
    [{ outbound: 'sometimes' }, 'i2p-sam.outbound'],
    [{ tunnels: { inboundLength: 0 } }, 'i2p-sam.tunnels.inboundLength'],
    [{ transientTunnels: { outboundQuantity: 17 } }, 'i2p-sam.transientTunnels.outboundQuantity'],
    [{ sessionTimeoutMs: 'soon' }, 'i2p-sam.sessionTimeoutMs'],
  ];
  for (const [input, path] of bad) {
    it(`names ${path} when it is wrong`, () => {
      expect(() => parseSamConfig(input)).to.throw(ConfigError).with.property('context').that.deep.includes({ path });
    });
  }
});

describe('parseSamReply', () => {
  it('splits topic and KEY=VALUE pairs, unquoting quoted values', () => {
    expect(parseSamReply('STREAM STATUS RESULT=I2P_ERROR MESSAGE="Session \\"x\\" closed"\n')).to.deep.equal({
      topic: 'STREAM STATUS', values: { RESULT: 'I2P_ERROR', MESSAGE: 'Session "x" closed' },
    });
    expect(parseSamReply('SESSION STATUS RESULT=OK DESTINATION=abc~-==').values.DESTINATION).to.equal('abc~-==');
  });
});
