import { expect } from 'chai';
import { ed25519 } from '@noble/curves/ed25519';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { RecordingPluginContext, rejectionOf } from '@veilnode/compliance';
import { ConfigError, SocksDialer, SocksError, SocksErrorCode, parseSocksProxy } from '@veilnode/plugin-api';
import torPlugin, { OnionV3Codec, TorTransport, onionHostFromPublicKey } from '@veilnode/tor';
import { echoRoundTrip, torFixture, transportContext, zoneConfig, type TorFixture } from './fixture';

describe('SOCKS errors from real tor map to typed errors', function () {
  this.timeout(240_000);
  let fx: TorFixture;
  const codec = new OnionV3Codec();
  // valid v3 name that no onion service uses
  const unknownOnion = onionHostFromPublicKey(ed25519.getPublicKey(randomBytes(32)));

  before(async function () {
    fx = await torFixture(this);
  });

  it('unknown onion → OnionServiceNotFound on the ExtendedErrors port (0xF0)', async () => {
    const err = await rejectionOf<SocksError>(new SocksDialer({ proxy: parseSocksProxy(`127.0.0.1:${fx.net.socksPortExt}`), timeoutMs: 120_000 }).dial(unknownOnion, 18083));
    expect(err).to.be.instanceOf(SocksError);
    expect(err.code).to.equal(SocksErrorCode.OnionServiceNotFound);
    expect(err.context.reply).to.equal(0xf0);
  });

  it('unknown onion → OnionServiceUnreachable on a plain SocksPort (0x04)', async () => {
    const err = await rejectionOf<SocksError>(new SocksDialer({ proxy: parseSocksProxy(`127.0.0.1:${fx.net.socksPort}`), timeoutMs: 120_000 }).dial(unknownOnion, 18083));
    expect(err.code).to.equal(SocksErrorCode.OnionServiceUnreachable);
  });

  it('onion name that is not a valid v3 address → OnionServiceInvalidAddress (0xF6)', async () => {
    const err = await rejectionOf<SocksError>(new SocksDialer({ proxy: parseSocksProxy(`127.0.0.1:${fx.net.socksPortExt}`) }).dial(`${'a'.repeat(55)}d.onion`, 80));
    expect(err.code).to.equal(SocksErrorCode.OnionServiceInvalidAddress);
  });

  it('virtual port the service does not offer → ConnectionRefused (SOCKS5) / Socks4Rejected (SOCKS4a)', async () => {
    const port = fx.net.hsVport + 1;
    expect((await rejectionOf<SocksError>(new SocksDialer({ proxy: parseSocksProxy(`127.0.0.1:${fx.net.socksPortExt}`) }).dial(fx.net.onionHostname, port))).code).to.equal(
      SocksErrorCode.ConnectionRefused,
    );
    expect((await rejectionOf<SocksError>(new SocksDialer({ proxy: parseSocksProxy(`socks4a://127.0.0.1:${fx.net.socksPort}`) }).dial(fx.net.onionHostname, port))).code).to.equal(
      SocksErrorCode.Socks4Rejected,
    );
  });

  it('nothing listening on the proxy port → ProxyUnreachable, and the transport says so', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const t = new TorTransport(transportContext({ proxy: parseSocksProxy(`127.0.0.1:${deadPort}`) }, { retryInitialMs: 60_000 }));
    try {
      const err = await rejectionOf<SocksError>(t.dial(codec.parse(`${fx.net.onionHostname}:${fx.net.hsVport}`)));
      expect(err.code).to.equal(SocksErrorCode.ProxyUnreachable);
      expect(t.status().healthy).to.equal(false);
      expect(t.status().reason).to.match(/SOCKS proxy socks5:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/);
    } finally {
      await t.stop();
    }
  });

  it('a malformed onion is rejected with its reason and the transport keeps working', async () => {
    const t = new TorTransport(transportContext({ proxy: parseSocksProxy(`127.0.0.1:${fx.net.socksPort}`) }));
    try {
      const good = codec.parse(`${fx.net.onionHostname}:${fx.net.hsVport}`);
      const typo = { ...good, host: `${good.host[0] === 'a' ? 'b' : 'a'}${good.host.slice(1)}` };
      const err = await rejectionOf<SocksError>(t.dial(typo));
      expect(err).to.have.property('code', 'ADDRESS_INVALID');
      expect(err.message).to.match(/checksum mismatch/);
      const v2 = await rejectionOf<SocksError>(t.dial({ zone: 'tor', host: 'expyuzz4wqqyqhjn.onion', port: 80 }));
      expect(v2.message).to.match(/v2 onion services no longer exist/);
      const conn = await t.dial(good);
      expect((await echoRoundTrip(conn.stream, Buffer.from('still fine'))).toString()).to.equal('still fine');
      conn.stream.destroy();
    } finally {
      await t.stop();
    }
  });

  it('a malformed onion in config stops registration with the key and reason; the valid config registers', () => {
    const zones: string[] = [];
    const context = (peers: string[]): RecordingPluginContext => {
      const ctx = new RecordingPluginContext({ pluginName: 'tor', zones: { tor: zoneConfig({ peers }) } });
      const registerZone = ctx.registerZone.bind(ctx);
      ctx.registerZone = (z) => {
        zones.push(z.name);
        registerZone(z);
      };
      return ctx;
    };
    const good = `${fx.net.onionHostname}:18083`;
    const broken = `${fx.net.onionHostname.slice(0, 20)}${fx.net.onionHostname[20] === 'a' ? 'b' : 'a'}${fx.net.onionHostname.slice(21)}:18083`;
    expect(() => torPlugin.register(context([good, broken]))).to.throw(ConfigError, /zones\.tor\.peers\[1\] ".*": checksum mismatch/);
    expect(() => new TorTransport(transportContext({ inbound: { address: 'abcdefghijklmnop.onion:18083', bind: { host: '127.0.0.1', port: 0 }, max: 1 } }))).to.throw(
      ConfigError,
      /zones\.tor\.inbound\.address .*v2 onion services no longer exist/,
    );
    expect(zones).to.have.length(0);
    torPlugin.register(context([good]));
    expect(zones).to.deep.equal(['tor']);
  });
});
