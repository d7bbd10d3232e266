import { expect } from 'chai';
import { CORE_API_VERSION } from '@veilnode/core';
import { RecordingPluginContext, createTestTransportContext } from '@veilnode/compliance';
import defaultExport, { plugin } from '../src/index';
import { ClearnetTransport } from '../src/clearnet-transport';
import { IpAddressCodec } from '../src/ip-address-codec';

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
});
