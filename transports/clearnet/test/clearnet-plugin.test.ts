import { expect } from 'chai';
import { CORE_API_VERSION } from '@veilnode/plugin-api';
import { RecordingPluginContext, createTestTransportContext } from '@veilnode/compliance';
import defaultExport, { plugin } from '../src/index';
import { ClearnetTransport } from '../src/clearnet-transport';
import { IpAddressCodec } from '../src/ip-address-codec';
import { freePort } from './loopback-fixture';

describe('clearnet plugin', function () {
  it('is the default and the `plugin` export, targeting this core API major', function () {
    expect(defaultExport).to.equal(plugin);
    expect(plugin.name).to.equal('clearnet');
    expect(plugin.coreApi).to.equal(`^${CORE_API_VERSION.split('.')[0]}.0.0`);
  });

  it('registers the clearnet zone with the IP codec and public-zone rules, and its TCP transport', async function () {
    const context = new RecordingPluginContext({ pluginName: 'clearnet', config: { dialTimeoutMs: 5000 } });
    await plugin.register(context);

    expect(context.zones).to.have.length(1);
    const [zone] = context.zones;
    expect(zone.name).to.equal('clearnet');
    expect(zone.codec).to.be.instanceOf(IpAddressCodec);
    expect(zone.policy).to.include({ zone: 'clearnet', anonymity: false, checkPeerId: true, allowPing: true, supportFlags: 1 });

    expect(context.transports.map((t) => [t.name, t.zone])).to.deep.equal([['clearnet', 'clearnet']]);
    const transport = context.transports[0].create(createTestTransportContext({ zone: 'clearnet' }));
    try {
      expect(transport).to.be.instanceOf(ClearnetTransport);
      expect(transport.capabilities).to.deep.equal({ dial: true, listen: true });
    } finally {
      await transport.stop();
    }
  });

  it('declares its one setting, the dial deadline, with a default', function () {
    expect(plugin.configSchema).to.have.nested.property('dialTimeoutMs.default', 10_000);
  });

  it('listens on the bind listen() is given (the node passes --p2p-bind-ip/port), IPv4 and IPv6', async function () {
    const context = new RecordingPluginContext({ pluginName: 'clearnet', config: {} });
    await plugin.register(context);
    const transport = context.transports[0].create(createTestTransportContext({ zone: 'clearnet' }));
    try {
      const port = await freePort('127.0.0.1');
      const v4 = await transport.listen(() => undefined, { bind: { host: '127.0.0.1', port } });
      expect(v4.addresses).to.deep.equal([`127.0.0.1:${port}`]);
      const v6 = await transport.listen(() => undefined, { bind: { host: '::1', port: 0 } });
      expect(v6.addresses).to.have.length(1);
      expect(v6.addresses[0]).to.match(/^\[::1\]:[1-9]\d*$/);
    } finally {
      await transport.stop();
    }
  });
});
