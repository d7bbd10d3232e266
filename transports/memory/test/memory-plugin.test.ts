import { expect } from 'chai';
import { RecordingPluginContext, createTestTransportContext } from '@veilnode/compliance';
import { ConfigError, type Transport } from '@veilnode/plugin-api';
import defaultExport, { plugin, type MemoryPluginConfig } from '../src';
import { MemoryTransport } from '../src/memory-transport';

const defaults: MemoryPluginConfig = { zone: 'clearnet', network: 'default', host: null, port: 18080, latencyMs: 0, bytesPerSecond: 0, dialTimeoutMs: 5000 };

async function transportFrom(config: Partial<MemoryPluginConfig>): Promise<Transport> {
  const context = new RecordingPluginContext({ pluginName: 'memory', config: { ...defaults, ...config } });
  await plugin.register(context);
  expect(context.zones, 'it registers no zone of its own').to.have.length(0);
  expect(context.transports).to.have.length(1);
  const definition = context.transports[0];
  return definition.create(createTestTransportContext({ zone: definition.zone, transport: definition.name }));
}

describe('memory plugin', function () {
  it('is the default export and registers transport `memory` for the configured zone', async function () {
    expect(defaultExport).to.equal(plugin);
    const context = new RecordingPluginContext({ pluginName: 'memory', config: { ...defaults, zone: 'tor' } });
    await plugin.register(context);
    expect(context.transports.map((t) => [t.name, t.zone])).to.deep.equal([['memory', 'tor']]);
    expect(plugin.configSchema).to.have.nested.property('zone.default', 'clearnet');
  });

  it('connects two nodes configured on the same named network, and not those on another', async function () {
    const network = `plugin-test-${process.pid}`;
    const server = await transportFrom({ zone: 'tor', network, host: 'server.memory' });
    const client = await transportFrom({ zone: 'tor', network, host: 'client.memory' });
    const stranger = await transportFrom({ zone: 'tor', network: `${network}-other`, host: 'stranger.memory' });
    try {
      expect(server).to.be.instanceOf(MemoryTransport);
      const received: Buffer[] = [];
      const listener = await server.listen((c) => c.stream.on('data', (d: Buffer) => received.push(d)));
      expect(listener.addresses).to.deep.equal(['server.memory:18080']);
      const { stream } = await client.dial({ zone: 'tor', host: 'server.memory', port: 18080 });
      stream.write('hello');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(Buffer.concat(received).toString()).to.equal('hello');
      const err = await stranger.dial({ zone: 'tor', host: 'server.memory', port: 18080 }).catch((e: unknown) => e);
      expect(err).to.have.property('code', 'CONNECTION_REFUSED');
    } finally {
      await Promise.all([server.stop(), client.stop(), stranger.stop()]);
    }
  });

  it('generates an IPv4 host from 10.0.0.0/8 on clearnet when none is configured', async function () {
    const transport = await transportFrom({ network: `gen-${process.pid}` });
    try {
      const listener = await transport.listen(() => undefined);
      expect(listener.addresses[0]).to.match(/^10\.\d+\.\d+\.\d+:18080$/);
    } finally {
      await transport.stop();
    }
  });

  it('rejects bad settings with a ConfigError naming the key', async function () {
    for (const [bad, path] of [
      [{ latencyMs: -1 }, 'memory.latencyMs'],
      [{ bytesPerSecond: Number.NaN }, 'memory.bytesPerSecond'],
      [{ host: 'a:b' }, 'memory.host'],
      [{ zone: '' }, 'memory.zone'],
    ] as const) {
      const context = new RecordingPluginContext({ pluginName: 'memory', config: { ...defaults, ...bad } });
      let err: unknown;
      try {
        await plugin.register(context);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(bad)).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).context.path).to.equal(path);
    }
  });
});
