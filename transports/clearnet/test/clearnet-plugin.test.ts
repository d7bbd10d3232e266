import { expect } from 'chai';
import { CORE_API_VERSION, ConfigError } from '@veilnode/plugin-api';
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

  it("listens on the zone's inbound bind address (core's --p2p-bind-ip/port) by default", async function () {
    const context = new RecordingPluginContext({ pluginName: 'clearnet', config: {} });
    await plugin.register(context);
    const bind = `127.0.0.1:${await freePort('127.0.0.1')}`;
    const transport = context.transports[0].create(
      createTestTransportContext({ zone: 'clearnet', zoneConfig: { inbound: { address: bind, bind, max: 8 } } }),
    );
    try {
      const listener = await transport.listen(() => undefined);
      expect(listener.addresses).to.deep.equal([bind]);
    } finally {
      await transport.stop();
    }
  });

  it('rejects an inbound bind that is not IP:PORT with a ConfigError naming the key', async function () {
    const context = new RecordingPluginContext({ pluginName: 'clearnet', config: {} });
    await plugin.register(context);
    const zoneConfig = { inbound: { address: 'x', bind: 'localhost:18080', max: 8 } };
    expect(() => context.transports[0].create(createTestTransportContext({ zone: 'clearnet', zoneConfig })))
      .to.throw(ConfigError, 'zones.clearnet.inbound.bind: invalid address "localhost:18080"');
  });
});
