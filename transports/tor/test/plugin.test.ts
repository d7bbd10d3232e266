import { RecordingPluginContext } from '@veilnode/compliance';
import { ConfigError, Command, parseSocksProxy, policyAllows, type NetworkName, type ZoneConfig } from '@veilnode/plugin-api';
import { expect } from 'chai';
import { torPlugin } from '../src/plugin';
import { DEFAULT_TOR_CONFIG, readTorConfig } from '../src/tor-config';
import { OnionV3Codec } from '../src/onion-v3-codec';

function zone(overrides: Partial<ZoneConfig> = {}): ZoneConfig {
  return { name: 'tor', enabled: true, transport: 'tor', proxy: null, maxOutbound: 12, maxInbound: 64, noise: true, inbound: null, peers: [], exclusivePeers: [], seeds: [], ...overrides };
}

function register(network: NetworkName, zoneConfig: ZoneConfig | undefined, config: Record<string, unknown> = {}) {
  const context = new RecordingPluginContext({ pluginName: 'tor', network, config, zones: zoneConfig ? { tor: zoneConfig } : {} });
  torPlugin.register(context);
  return { zones: context.zones, transports: context.transports };
}

describe('tor plugin', () => {
  it('registers the tor zone (onion codec, anonymity rules, limits from config) and the tor transport', () => {
    const { zones, transports } = register('regtest', zone({ maxOutbound: 5, inbound: { address: 'x', bind: { host: '127.0.0.1', port: 1 }, max: 7 } }));
    expect(zones).to.have.length(1);
    const [z] = zones;
    expect(z.name).to.equal('tor');
    expect(z.codec).to.be.instanceOf(OnionV3Codec);
    expect(z.policy).to.include({ zone: 'tor', anonymity: true, advertisePort: false, supportFlags: 0, allowPing: false, checkPeerId: false, fixedPeerId: 1n });
    expect(z.policy).to.include({ defaultMaxOutbound: 5, defaultMaxInbound: 7 });
    expect(policyAllows(z.policy, 'inbound', Command.NewTransactions)).to.equal(true);
    expect(policyAllows(z.policy, 'inbound', Command.Ping)).to.equal(false);
    expect(policyAllows(z.policy, 'outbound', Command.RequestChain)).to.equal(false);
    expect(transports.map((t) => [t.name, t.zone])).to.deep.equal([['tor', 'tor']]);
  });

  it('declares fresh identities (carriers: a circuit of their own each) unless the proxy has fixed credentials', () => {
    const [transport] = register('regtest', zone()).transports;
    expect(transport.freshIdentity?.(zone())).to.equal(true);
    expect(transport.freshIdentity?.(zone({ proxy: parseSocksProxy('socks5://127.0.0.1:9050') }))).to.equal(true);
    expect(transport.freshIdentity?.(zone({ proxy: parseSocksProxy('socks5://alice:pw@127.0.0.1:9050') }))).to.equal(false);
  });

  it('ships monerod\'s onion seeds for mainnet only, all valid', () => {
    const codec = new OnionV3Codec();
    const mainnet = register('mainnet', undefined).zones[0].seeds ?? [];
    expect(mainnet).to.have.length(6);
    mainnet.forEach((s) => expect(codec.format(codec.parse(s))).to.equal(s));
    expect(register('regtest', undefined).zones[0].seeds).to.deep.equal([]);
    expect(register('stagenet', undefined).zones[0].seeds).to.deep.equal([]);
  });

  it('takes configured onion seeds per network, lower-cased', () => {
    const seed = DEFAULT_TOR_CONFIG.seeds.mainnet[0];
    expect(register('regtest', undefined, { seeds: { regtest: [seed.toUpperCase().replace('.ONION', '.onion')] } }).zones[0].seeds).to.deep.equal([seed]);
  });

  it('parses the control port once, IPv4 or [IPv6]', () => {
    expect(readTorConfig({ control: '127.0.0.1:9051' }).control).to.deep.equal({ host: '127.0.0.1', port: 9051 });
    expect(readTorConfig({ control: '[::1]:9051' }).control).to.deep.equal({ host: '::1', port: 9051 });
    expect(readTorConfig({}).control).to.equal(null);
  });

  it('rejects bad settings naming the key and the reason', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ control: 'localhost:9051' }, /tor\.control: must be IP:PORT/],
      [{ control: '127.0.0.1:0' }, /tor\.control: must be IP:PORT/],
      [{ control: '::1:9051' }, /tor\.control: must be IP:PORT/],
      [{ socksTimeoutMs: 0 }, /tor\.socksTimeoutMs: must be an integer/],
      [{ isolation: 'yes' }, /tor\.isolation: must be true or false/],
      [{ onionPort: 70000 }, /tor\.onionPort/],
      [{ seeds: { regtest: ['abcdefghijklmnop.onion:18083'] } }, /tor\.seeds\.regtest: .*v2 onion services no longer exist/],
      [{ seeds: { moonnet: [] } }, /unknown network tor\.seeds\.moonnet/],
      [{ bogus: 1 }, /unknown setting tor\.bogus/],
      [{ retryInitialMs: 5000, retryMaxMs: 1000 }, /retryMaxMs must not be below/],
    ];
    for (const [config, reason] of bad) expect(() => readTorConfig(config), JSON.stringify(config)).to.throw(ConfigError, reason);
  });

  it('rejects a control password that is not a string', () => {
    expect(() => readTorConfig({ controlPassword: 42 })).to.throw(ConfigError, /tor\.controlPassword: must be a string/);
  });

  it('rejects a malformed onion among the zone\'s peers with its index and reason', () => {
    const good = DEFAULT_TOR_CONFIG.seeds.mainnet[0];
    expect(() => register('regtest', zone({ exclusivePeers: [good, 'zzzz.onion:1'] }))).to.throw(
      ConfigError,
      /zones\.tor\.exclusivePeers\[1\] "zzzz\.onion:1": a v3 onion name has 56 base32 characters/,
    );
  });
});
