import { expect } from 'chai';
import { prepareError, prepareFromConfig } from '@veilnode/node/testing';
import { DEFAULT_TOR_CONFIG } from '@veilnode/tor';

const [SEED_A, SEED_B] = DEFAULT_TOR_CONFIG.seeds.mainnet;

/** The kernel's two-phase start-up (config, plugins, zone binding) with the real tor plugin. */
describe('tor zone settings through the kernel', () => {
  it("the zone definition's seeds for the node's network become zones.tor.seeds when the config has none", async () => {
    const mainnet = await prepareFromConfig({ plugins: ['@veilnode/tor'], network: 'mainnet', zones: { tor: {} } });
    expect(mainnet.zones.find((z) => z.name === 'tor')?.seeds).to.deep.equal(DEFAULT_TOR_CONFIG.seeds.mainnet);
    const regtest = await prepareFromConfig({ plugins: ['@veilnode/tor'], network: 'regtest', zones: { tor: {} }, tor: { seeds: { regtest: [SEED_A] } } });
    expect(regtest.zones.find((z) => z.name === 'tor')?.seeds).to.deep.equal([SEED_A]);
  });

  it('zones.tor.seeds replaces the built-in seeds (also by an empty list)', async () => {
    const own = await prepareFromConfig({ plugins: ['@veilnode/tor'], network: 'mainnet', zones: { tor: { seeds: [SEED_B] } } });
    expect(own.zones.find((z) => z.name === 'tor')?.seeds).to.deep.equal([SEED_B]);
    const none = await prepareFromConfig({ plugins: ['@veilnode/tor'], network: 'mainnet', zones: { tor: { seeds: [] } } });
    expect(none.zones.find((z) => z.name === 'tor')?.seeds).to.deep.equal([]);
  });

  it('a malformed onion seed or peer in config is refused naming the key, the index and the reason', async () => {
    const seed = await prepareError({ plugins: ['@veilnode/tor'], network: 'regtest', zones: { tor: { seeds: [SEED_A, 'abcdefghijklmnop.onion:18083'] } } });
    expect(seed.message).to.match(/zones\.tor\.seeds\[1\] "abcdefghijklmnop\.onion:18083": .*v2 onion services no longer exist/);
    const peer = await prepareError({ plugins: ['@veilnode/tor'], network: 'regtest', zones: { tor: { peers: ['zzzz.onion:1'] } } });
    expect(peer.message).to.match(/zones\.tor\.peers\[0\] "zzzz\.onion:1": .*56 base32 characters/);
  });

  it('--tor-control and --tor-control-password reach the tor plugin; the password appears in no log line', async () => {
    const prepared = await prepareFromConfig(
      { plugins: ['@veilnode/tor'], network: 'regtest', zones: { tor: {} } },
      { argv: ['--tor-control', '127.0.0.1:9051', '--tor-control-password', 'hunter2-secret', '--log-level', 'debug'] },
    );
    const tor = prepared.config.tor as { control: string; controlPassword: string };
    expect(tor).to.include({ control: '127.0.0.1:9051', controlPassword: 'hunter2-secret' });
    expect(JSON.stringify(prepared.log.entries)).to.not.include('hunter2-secret');
  });

  it('--tx-proxy tor,IP:PORT,MAX,socks4a makes the tor zone dial through a socks4a:// proxy', async () => {
    const prepared = await prepareFromConfig({ plugins: ['@veilnode/tor'], network: 'regtest' }, { argv: ['--tx-proxy', 'tor,127.0.0.1:9050,10,socks4a'] });
    const tor = prepared.zones.find((z) => z.name === 'tor');
    expect(tor).to.include({ maxOutbound: 10 });
    expect([tor?.proxy?.version, tor?.proxy?.host, tor?.proxy?.port]).to.deep.equal([4, '127.0.0.1', 9050]);
  });
});
