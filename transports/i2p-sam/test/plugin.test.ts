import { expect } from 'chai';
import { RecordingPluginContext } from '@veilnode/compliance';
import { parseSocksProxy, type ZoneConfig } from '@veilnode/plugin-api';
import { i2pZone } from '@veilnode/i2p-zone';
import { i2pSamPlugin } from '../src';

function zone(overrides: Partial<ZoneConfig> = {}): ZoneConfig {
  return { name: 'i2p', enabled: true, transport: 'i2p-sam', proxy: null, maxOutbound: 8, maxInbound: 64, noise: true, inbound: null, peers: [], exclusivePeers: [], seeds: [], ...overrides };
}

describe('i2p-sam plugin', () => {
  it('registers the shared i2p zone and the i2p-sam transport, which gives fresh identities (a transient destination per carrier) for every zone config', async () => {
    const context = new RecordingPluginContext({ pluginName: 'i2p-sam' });
    await i2pSamPlugin.register(context);
    expect(context.zones).to.deep.equal([i2pZone]);
    const [transport] = context.transports;
    expect([transport.name, transport.zone]).to.deep.equal(['i2p-sam', 'i2p']);
    // the zone's proxy is not read by SAM: a proxy with credentials changes nothing
    for (const z of [zone(), zone({ proxy: parseSocksProxy('socks5://alice:pw@127.0.0.1:4447') }), zone({ noise: false })]) expect(transport.freshIdentity?.(z)).to.equal(true);
  });
});
