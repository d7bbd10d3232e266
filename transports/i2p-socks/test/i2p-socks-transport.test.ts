import { createServer, type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ConfigError, TransportUnavailableError, type TransportConnection, type ZoneConfig, parseSocksProxy } from '@veilnode/plugin-api';
import { createTestTransportContext, RecordingPluginContext, transportCompliance, readExactly } from '@veilnode/compliance';
import { i2pZone } from '@veilnode/i2p-zone';
import { I2pSocksTransport, i2pSocksPlugin } from '../src';
import { FakeI2pSocksProxy } from './fake-i2p-socks-proxy';

const OURS = 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p';
const DEAD = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b32.i2p';
const STUCK = `${'c'.repeat(51)}a.b32.i2p`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function transport(proxyPort: number, zone: Partial<ZoneConfig> = {}, pluginConfig: Record<string, unknown> = {}): I2pSocksTransport {
  return new I2pSocksTransport(createTestTransportContext({
    zone: 'i2p',
    transport: 'i2p-socks',
    pluginConfig,
    zoneConfig: { proxy: parseSocksProxy(`socks4a://127.0.0.1:${proxyPort}`), inbound: { address: OURS, bind: { host: '127.0.0.1', port: 0 }, max: 0 }, ...zone },
  }));
}

describe('I2pSocksTransport with a fake router SOCKS proxy', () => {
  const proxy = new FakeI2pSocksProxy();
  before(async () => {
    await proxy.start();
    proxy.silent.add(STUCK);
  });
  after(() => proxy.stop());

  transportCompliance('i2p-socks (fake router)', {
    async setup() {
      // the "server tunnel" of the fake router: our b32 → the port the listener binds
      const port = await freePort();
      proxy.routes.set(OURS, port);
      return {
        transport: transport(proxy.port),
        listenOptions: { bind: { host: '127.0.0.1', port } },
        anonymous: true,
        deadAddress: i2pZone.codec.parse(DEAD),
        unresponsiveAddress: i2pZone.codec.parse(STUCK),
        addressOf: (listener) => i2pZone.codec.parse(listener.addresses[0]),
      };
    },
  });

  it('sends the b32 name to the proxy with port 1, never resolving it', async () => {
    const t = transport(proxy.port);
    const listener = await t.listen(() => undefined);
    expect(listener.addresses).to.deep.equal([OURS]);
    proxy.requests.length = 0;
    await t.dial(i2pZone.codec.parse(DEAD)).catch(() => undefined);
    expect(proxy.requests).to.deep.equal([{ host: DEAD, port: 1 }]);
    await t.stop();
  });

  it('hands inbound streams over with no remote address', async () => {
    const t = transport(proxy.port);
    const got: TransportConnection[] = [];
    const port = await freePort();
    await t.listen((c) => got.push(c), { bind: { host: '127.0.0.1', port } });
    proxy.routes.set(OURS, port);
    const out = await t.dial(i2pZone.codec.parse(OURS));
    out.stream.write('hi');
    while (got.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(got[0].remote).to.equal(undefined);
    expect((await readExactly(got[0].stream, 2, 2000)).toString()).to.equal('hi');
    await t.stop();
  });

  it('refuses to listen without an inbound setting, and rejects bad inbound config', async () => {
    const t = transport(proxy.port, { inbound: null });
    expect(t.capabilities.listen).to.equal(false);
    const error = await t.listen(() => undefined).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(TransportUnavailableError);
    expect(() => transport(proxy.port, { inbound: { address: 'x.onion', bind: { host: '127.0.0.1', port: 1 }, max: 0 } })).to.throw(ConfigError, /zones.i2p.inbound.address/);
    expect(() => transport(proxy.port, {}, { dialTimeoutMs: 5 })).to.throw(ConfigError, /i2p-socks.dialTimeoutMs/);
  });

  it('registers the shared i2p zone and the i2p-socks transport', async () => {
    const context = new RecordingPluginContext({ pluginName: 'i2p-socks' });
    await i2pSocksPlugin.register(context);
    expect(context.zones).to.deep.equal([i2pZone]);
    expect(context.transports.map((d) => [d.name, d.zone])).to.deep.equal([['i2p-socks', 'i2p']]);
  });

  it('gives no fresh identities (the router dials every SOCKS stream from one destination): not declared, and such a dial reaches no proxy', async () => {
    const context = new RecordingPluginContext({ pluginName: 'i2p-socks' });
    await i2pSocksPlugin.register(context);
    expect(context.transports[0].freshIdentity).to.equal(undefined);
    const t = transport(proxy.port);
    proxy.requests.length = 0;
    const error = await t.dial(i2pZone.codec.parse(OURS), { freshIdentity: true }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(TransportUnavailableError);
    expect(proxy.requests, 'nothing dialled without the fresh identity').to.deep.equal([]);
    await t.stop();
  });
});
