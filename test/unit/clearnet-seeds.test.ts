import { expect } from 'chai';
import { CLEARNET_SEEDS } from '@veilnode/clearnet';
import { prepareFromConfig } from '@veilnode/node/testing';

/** The clearnet zone's built-in seeds through the kernel's start-up (nothing is dialled here). */
describe('clearnet built-in seed nodes', () => {
  for (const [network, port] of [['mainnet', 18080], ['testnet', 28080], ['stagenet', 38080]] as const) {
    it(`${network}: monerod's IP seed list, every one on the network's p2p port`, async () => {
      const prepared = await prepareFromConfig({ plugins: ['@veilnode/clearnet'], network, zones: { clearnet: {} } });
      const seeds = prepared.zones.find((z) => z.name === 'clearnet')?.seeds ?? [];
      expect(seeds).to.deep.equal(CLEARNET_SEEDS[network]);
      expect(seeds.length).to.be.at.least(5);
      for (const seed of seeds) expect(seed).to.match(new RegExp(`^\\d+\\.\\d+\\.\\d+\\.\\d+:${port}$`));
    });
  }

  it('regtest has none, and --seed-node or zones.clearnet.seeds replaces the built-in list', async () => {
    const regtest = await prepareFromConfig({ plugins: ['@veilnode/clearnet'], network: 'regtest', zones: { clearnet: {} } });
    expect(regtest.zones.find((z) => z.name === 'clearnet')?.seeds).to.deep.equal([]);
    const own = await prepareFromConfig({ plugins: ['@veilnode/clearnet'], network: 'mainnet', zones: { clearnet: {} } }, { argv: ['--seed-node', '192.0.2.10:18080'] });
    expect(own.zones.find((z) => z.name === 'clearnet')?.seeds).to.deep.equal(['192.0.2.10:18080']);
    const none = await prepareFromConfig({ plugins: ['@veilnode/clearnet'], network: 'mainnet', zones: { clearnet: { seeds: [] } } });
    expect(none.zones.find((z) => z.name === 'clearnet')?.seeds).to.deep.equal([]);
  });
});
